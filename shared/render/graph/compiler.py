"""The pure render compiler: a timeline plus probed media -> FFmpeg render plans.

Two plans per render: ``compile_audio_plan`` mixes the audio into a WAV of the video's exact
length (the runtime then measures and normalises its loudness), and ``compile_video_plan`` draws
the picture and muxes that normalised mix. No I/O here beyond reading the fonts' metrics and
character maps; the same input always gives the same plan.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace

from shared.errors import InvalidRequest
from shared.render.draw.frame_plan import DrawnChunk, compile_drawn_chunk, drawable_frames
from shared.render.graph import clip_graph
from shared.render.graph.audio_graph import AudioSource, audio_filter_graph
from shared.render.graph.overlays import DrawnText, clean_text, drawtext_filter, visible
from shared.render.graph.plan import EncoderSettings, InputSpec, MediaInfo, MediaKind, RenderPlan
from shared.render.graph.timing import (
    ClipSpan,
    FrameWindow,
    clip_spans,
    frame_to_seconds,
    frames_to_samples,
    ms_to_frame,
    ms_window,
    total_frames,
)
from shared.render.run.segments import chunk_ranges
from shared.render.text.captions import caption_chunks
from shared.render.text.text_layout import SafeArea, TextBlock, layout_text, safe_area
from shared.timeline import (
    Anchor,
    OutputFormat,
    PhotoClip,
    Quality,
    TextStyle,
    Timeline,
    TransitionType,
)

PREVIEW_DIVISOR = 3  # preview frames are a third of the final size (640x360 for 16:9)
# A pipelined render's producer renders this many clips (plus the start of the next one, for a
# transition across its end): few photos decoded at once, few photos decoded twice.
CLIPS_PER_CHUNK = 3
CAPTION_GAP = 0.01  # of the frame height, kept between a text overlay and the captions under it


@dataclass(frozen=True)
class RenderOptions:
    encoder: EncoderSettings  # chosen by the runtime by probing
    audio_bitrate: str = "192k"
    sample_rate: int = 48000


def output_size(fmt: OutputFormat) -> tuple[int, int]:
    width, height = fmt.size
    if fmt.quality is Quality.PREVIEW:
        return width // PREVIEW_DIVISOR // 2 * 2, height // PREVIEW_DIVISOR // 2 * 2
    return width, height


def _media(media: Mapping[str, MediaInfo], source: str, where: str, kind: MediaKind) -> MediaInfo:
    info = media.get(source)
    if info is None:
        raise InvalidRequest(f"{where}: no media was prepared for source {source!r}")
    if info.kind is not kind:
        raise InvalidRequest(f"{where}: {source!r} is {info.kind.value}, expected {kind.value}")
    if kind is not MediaKind.IMAGE and info.duration_ms <= 0:
        # Loops, trims and caption timing all need it: the runtime's probe must report it.
        raise InvalidRequest(f"{where}: the duration of {source!r} is unknown")
    return info


def _audio_input(info: MediaInfo) -> InputSpec:
    forced = ("-f", info.container) if info.container else ()
    return InputSpec(info.path, forced)


def compile_audio_plan(
    timeline: Timeline, media: Mapping[str, MediaInfo], options: RenderOptions
) -> RenderPlan:
    """The mix (voice + ducked, looped, faded music) as stereo PCM WAV of the video's length."""
    fps, rate = timeline.format.fps, options.sample_rate
    frames = total_frames(timeline)
    inputs: list[InputSpec] = []
    voice = music = None
    if timeline.voice is not None:
        info = _media(media, timeline.voice.source, "voice.source", MediaKind.AUDIO)
        voice = (timeline.voice, AudioSource(len(inputs), info))
        inputs.append(_audio_input(info))
    if timeline.music is not None:
        info = _media(media, timeline.music.source, "music.source", MediaKind.AUDIO)
        music = (timeline.music, AudioSource(len(inputs), info))
        inputs.append(_audio_input(info))
    graph = audio_filter_graph(
        voice=voice, music=music, samples=frames_to_samples(frames, fps, rate), sample_rate=rate
    )
    # Float samples: the unnormalised sum may exceed full scale until loudnorm brings it down.
    output = ("-map", "[aout]", "-c:a", "pcm_f32le", "-ar", str(rate), "-ac", "2", "-f", "wav")
    return RenderPlan(tuple(inputs), graph, output, timeline.duration_ms, frames)


def _texts(
    timeline: Timeline, media: Mapping[str, MediaInfo], size: tuple[int, int]
) -> list[DrawnText]:
    """Every overlay and caption, laid out inside the safe area, in drawing order."""
    width, height = size
    fps = timeline.format.fps
    area = safe_area(width, height)
    items = []

    def block(
        text: str, style: TextStyle, anchor: Anchor, x: float, dy: float, within: SafeArea = area
    ) -> TextBlock:
        return layout_text(
            clean_text(text),
            font=style.font,
            size_px=max(1, round(style.size * height)),
            area=within,
            anchor=anchor,
            centre_x=x * width,
            offset_y=dy * height,
            box=style.box,
        )

    captions = _captions(timeline, media, block, fps)
    for i, text in enumerate(timeline.texts):
        window = ms_window(text.start_ms, text.end_ms, fps)
        laid = block(text.text, text.style, text.anchor, text.x, text.offset_y)
        # Never under a caption shown at the same time: move the text above the caption band.
        band_top = min((c.block.y - c.block.padding for c in captions if _overlap(c, window)),
                       default=None)  # fmt: skip
        gap = max(2, round(CAPTION_GAP * height))
        if band_top is not None and laid.y + laid.height + laid.padding > band_top - gap:
            above = replace(area, bottom=band_top - gap)
            if above.height > 0:
                laid = block(text.text, text.style, text.anchor, text.x, text.offset_y, above)
        items.append(
            DrawnText(
                f"text_{i:02d}.txt",
                laid,
                text.style,
                window,
                ms_to_frame(text.fade_in_ms, fps),
                ms_to_frame(text.fade_out_ms, fps),
            )
        )
    # Captions last: drawn over everything else.
    items.extend(captions)
    return [item for item in items if item.window.end > item.window.start]


def _captions(
    timeline: Timeline,
    media: Mapping[str, MediaInfo],
    block: Callable[[str, TextStyle, Anchor, float, float], TextBlock],
    fps: int,
) -> list[DrawnText]:
    captions, voice = timeline.captions, timeline.voice
    if captions is None or not captions.enabled or voice is None:
        return []
    info = _media(media, voice.source, "voice.source", MediaKind.AUDIO)
    chunks = caption_chunks(
        voice,
        voice_file_ms=info.duration_ms,
        timeline_ms=timeline.duration_ms,
        max_words=captions.max_words,
    )
    return [
        DrawnText(
            f"caption_{i:03d}.txt",
            block(chunk.text, captions.style, Anchor.BOTTOM, 0.5, 0.0),
            captions.style,
            ms_window(chunk.start_ms, chunk.end_ms, fps),
        )
        for i, chunk in enumerate(chunks)
    ]


def _overlap(item: DrawnText, window: FrameWindow) -> bool:
    return item.window.start < window.end and window.start < item.window.end


def _blends(span: ClipSpan) -> bool:
    return span.transition_in is not TransitionType.CUT and span.overlap_in > 0


# Transitions that treat every plane alike, each by its own size: blended plane by plane, the
# yuv420p frames need no conversion. Others (fades through a colour, dissolve's per-pixel noise,
# shapes) must see the whole pixel: xfade then runs in 4:4:4.
_PLANAR_TRANSITIONS = frozenset(
    {
        TransitionType.FADE,
        TransitionType.WIPE_LEFT,
        TransitionType.WIPE_RIGHT,
        TransitionType.WIPE_UP,
        TransitionType.WIPE_DOWN,
        TransitionType.SLIDE_LEFT,
        TransitionType.SLIDE_RIGHT,
        TransitionType.SLIDE_UP,
        TransitionType.SLIDE_DOWN,
    }
)


def _blend(prev: str, nxt: str, xfade: str, kind: TransitionType, out: str) -> str:
    """``xfade`` from pad ``prev`` into pad ``nxt`` as [out], yuv420p. xfade takes no 4:2:0
    frames: FFmpeg would convert both sides to 4:4:4 and back (about 8 ms a 1080p frame), so a
    planar transition runs on the planes instead (about 2 ms)."""
    if kind not in _PLANAR_TRANSITIONS:
        return f"{prev}{nxt}{xfade}[{out}]"
    planes = "yuv"
    merged = "".join(f"[{out}{p}]" for p in planes)
    graph = [
        f"{prev}extractplanes=y+u+v{''.join(f'[{out}a{p}]' for p in planes)}",
        f"{nxt}extractplanes=y+u+v{''.join(f'[{out}b{p}]' for p in planes)}",
        *(f"[{out}a{p}][{out}b{p}]{xfade}[{out}{p}]" for p in planes),
        f"{merged}mergeplanes=map1s=1:map2s=2:format=yuv420p[{out}]",
    ]
    return ";".join(graph)


def _join_clips(spans: list[ClipSpan], fps: int) -> list[str]:
    """Join the clip streams [v<i>] in order into [joined].

    Each clip is cut (``segment``, no copies) into head / body / tail, where head and tail are
    the frames it shares with its neighbours; xfade blends only those frames, and one concat
    joins bodies and blends. xfade works in 4:4:4 here, so running the whole video through a
    chain of xfades would convert every frame twice for nothing.
    """
    graph: list[str] = []
    items: list[str] = []
    tails: dict[int, str] = {}
    for pos, span in enumerate(spans):
        head = span.overlap_in if pos and _blends(span) else 0
        nxt = spans[pos + 1] if pos + 1 < len(spans) else None
        tail = nxt.overlap_in if nxt is not None and _blends(nxt) else 0
        i = span.index
        cuts = sorted({c for c in (head, span.frames - tail) if 0 < c < span.frames})
        names = (["h"] if head else []) + (["b"] if span.frames > head + tail else [])
        names += ["t"] if tail else []
        pads = {name: f"[{name}{i}]" for name in names}
        if len(names) > 1:
            outs = "".join(pads.values())
            graph.append(f"[v{i}]segment=frames={'|'.join(map(str, cuts))}{outs}")
        else:
            pads = {names[0]: f"[v{i}]"}
        if head:
            prev = spans[pos - 1].index
            xfade = (
                f"xfade=transition={span.transition_in.value}"
                f":duration={frame_to_seconds(head, fps)}:offset=0"
            )
            graph.append(_blend(tails[prev], pads["h"], xfade, span.transition_in, f"x{i}"))
            items.append(f"[x{i}]")
        if "b" in pads:
            items.append(pads["b"])
        if tail:
            tails[i] = pads["t"]
    joined = f"{''.join(items)}concat=n={len(items)}:v=1:a=0," if len(items) > 1 else items[0]
    return [*graph, f"{joined}settb=1/{fps},setpts=N[joined]"]


@dataclass(frozen=True)
class _Picture:
    """The video graph of a frame range: its inputs, its filters ending in [vout], its texts."""

    inputs: tuple[InputSpec, ...]
    graph: str
    frames: int
    text_files: dict[str, str]


def _checked_range(timeline: Timeline, frame_range: tuple[int, int] | None) -> tuple[int, int]:
    all_frames = total_frames(timeline)
    first, last = frame_range if frame_range is not None else (0, all_frames)
    if not 0 <= first < last <= all_frames:
        raise InvalidRequest(f"frame_range {frame_range} is not inside [0, {all_frames})")
    return first, last


def _picture(
    timeline: Timeline, media: Mapping[str, MediaInfo], frame_range: tuple[int, int] | None
) -> _Picture:
    fps = timeline.format.fps
    size = output_size(timeline.format)
    first, last = _checked_range(timeline, frame_range)
    spans = [s for s in clip_spans(timeline) if s.start < last and s.end > first]
    base = spans[0].start

    inputs: list[InputSpec] = []
    graph: list[str] = []
    for span in spans:
        clip = timeline.video[span.index]
        where = f"video[{span.index}].source"
        if isinstance(clip, PhotoClip):
            info = _media(media, clip.source, where, MediaKind.IMAGE)
            inputs.append(clip_graph.photo_input(clip, info, *size, fps))
            graph.append(
                clip_graph.photo_chain(clip, span.index, len(inputs) - 1, span.frames, size, fps)
            )
        else:
            info = _media(media, clip.source, where, MediaKind.VIDEO)
            inputs.append(clip_graph.video_input(clip, info, span.frames, fps))
            graph.append(
                clip_graph.video_chain(clip, span.index, len(inputs) - 1, span.frames, size, fps)
            )
    graph += _join_clips(spans, fps)

    post = []
    if (first, last) != (base, spans[-1].end):
        post.append(f"trim=start_frame={first - base}:end_frame={last - base},setpts=PTS-STARTPTS")
    texts = [t for t in _texts(timeline, media, size) if visible(t, first, last)]
    post += [drawtext_filter(t, first) for t in texts]
    post.append("format=yuv420p")
    graph.append(f"[joined]{','.join(post)}[vout]")
    text_files = {name: body for t in texts for name, body in t.files.items()}
    return _Picture(tuple(inputs), ";".join(graph), last - first, text_files)


def _encode_args(
    timeline: Timeline, options: RenderOptions, frames: int, audio_input: int | None
) -> tuple[str, ...]:
    """Everything after the graph: the encoder, H.264 High yuv420p, the mix as AAC, faststart."""
    output = ["-map", "[vout]"]
    if audio_input is not None:
        output += ["-map", f"{audio_input}:a"]
    output += ["-c:v", options.encoder.codec, *options.encoder.args]
    output += ["-profile:v", "high", "-pix_fmt", "yuv420p"]
    output += ["-r", str(timeline.format.fps), "-frames:v", str(frames)]
    if audio_input is not None:
        output += ["-c:a", "aac", "-b:a", options.audio_bitrate, "-ar", str(options.sample_rate)]
        output += ["-ac", "2"]
    else:
        output += ["-an"]
    output += ["-movflags", "+faststart"]
    return tuple(output)


def _duration_ms(frames: int, fps: int) -> int:
    return (frames * 1000 + fps // 2) // fps


def compile_video_plan(
    timeline: Timeline,
    media: Mapping[str, MediaInfo],
    options: RenderOptions,
    audio: MediaInfo | None,
    frame_range: tuple[int, int] | None = None,
) -> RenderPlan:
    """The picture encoded with ``options.encoder``, exactly the frames of ``frame_range``
    (default: all), with ``audio`` (the normalised mix) muxed as AAC: one graph, one process."""
    picture = _picture(timeline, media, frame_range)
    inputs = list(picture.inputs)
    audio_input = None
    if audio is not None:
        audio_input = len(inputs)
        inputs.append(_audio_input(audio))
    return RenderPlan(
        tuple(inputs),
        picture.graph,
        _encode_args(timeline, options, picture.frames, audio_input),
        duration_ms=_duration_ms(picture.frames, timeline.format.fps),
        frame_count=picture.frames,
        text_files=picture.text_files,
    )


def compile_frames_plan(
    timeline: Timeline, media: Mapping[str, MediaInfo], frame_range: tuple[int, int] | None = None
) -> RenderPlan:
    """The frames of ``frame_range`` (default: all) as raw yuv420p, not encoded: the producer
    side of a pipelined render (its output goes to a pipe, ``pipe:1``)."""
    picture = _picture(timeline, media, frame_range)
    # -r as the encoder has it: the raw output otherwise follows the graph's link rate and would
    # drop or repeat frames wherever that rate were not the fps.
    output = ("-map", "[vout]", "-f", "rawvideo", "-pix_fmt", "yuv420p")
    return RenderPlan(
        picture.inputs,
        picture.graph,
        (*output, "-r", str(timeline.format.fps), "-frames:v", str(picture.frames)),
        duration_ms=_duration_ms(picture.frames, timeline.format.fps),
        frame_count=picture.frames,
        text_files=picture.text_files,
    )


def raw_frame_bytes(timeline: Timeline) -> int:
    """The size of one raw yuv420p frame of the output (both sides are even)."""
    width, height = output_size(timeline.format)
    return width * height * 3 // 2


def compile_encode_plan(
    timeline: Timeline,
    options: RenderOptions,
    audio: MediaInfo | None,
    frame_range: tuple[int, int] | None = None,
) -> RenderPlan:
    """The encoder side of a pipelined render: raw yuv420p frames of ``frame_range`` (default:
    the whole video) read from stdin (``pipe:0``, the only protocol allowed there), encoded and
    muxed exactly as ``compile_video_plan`` encodes its graph's output."""
    width, height = output_size(timeline.format)
    fps = timeline.format.fps
    first, last = _checked_range(timeline, frame_range)
    frames = last - first
    raw = InputSpec(
        "pipe:0",
        ("-protocol_whitelist", "pipe", "-f", "rawvideo", "-pix_fmt", "yuv420p")
        + ("-video_size", f"{width}x{height}", "-framerate", str(fps)),
    )
    inputs = [raw]
    if audio is not None:
        inputs.append(_audio_input(audio))
    return RenderPlan(
        tuple(inputs),
        "[0:v]null[vout]",
        _encode_args(timeline, options, frames, 1 if audio is not None else None),
        duration_ms=_duration_ms(frames, fps),
        frame_count=frames,
    )


def _drawn_chunk(
    timeline: Timeline,
    media: Mapping[str, MediaInfo],
    part: tuple[int, int],
    size: tuple[int, int],
    texts: list[DrawnText],
) -> DrawnChunk:
    for span in clip_spans(timeline):
        if span.start < part[1] and span.end > part[0]:
            where = f"video[{span.index}].source"
            _media(media, timeline.video[span.index].source, where, MediaKind.IMAGE)
    chunk = compile_drawn_chunk(timeline, media, part, size, texts)
    assert chunk is not None  # drawable_frames() said so
    return chunk


@dataclass(frozen=True)
class PipelinedPlan:
    """One render as producers and an encoder: each chunk's frames, in order, raw, make up
    exactly the frames ``encode`` reads on its stdin. A chunk is an FFmpeg graph (a producer
    process) or a DrawnChunk (drawn in process by ``frame_drawer``)."""

    chunks: tuple[RenderPlan | DrawnChunk, ...]
    encode: RenderPlan
    frame_bytes: int  # the size of one raw frame on the pipe


def compile_pipelined_plan(
    timeline: Timeline,
    media: Mapping[str, MediaInfo],
    options: RenderOptions,
    audio: MediaInfo | None,
    frame_range: tuple[int, int] | None = None,
    clips_per_chunk: int = CLIPS_PER_CHUNK,
    drawn: bool = True,
) -> PipelinedPlan:
    """``compile_video_plan``'s render cut into chunks of ``clips_per_chunk`` clips at clip ends
    (where segments are cut), so no process holds more than one chunk's photos. With ``drawn``,
    chunks the in-process drawer can make (photos, cuts, fades, wipes, slides) are DrawnChunks,
    adjacent ones merged (the drawer holds only the photos on screen); the rest stay FFmpeg
    graphs."""
    first, last = _checked_range(timeline, frame_range)
    parts: list[tuple[tuple[int, int], bool]] = []  # (frames in range, drawn?)
    for whole in chunk_ranges(timeline, clips_per_chunk):
        if not (whole[0] < last and whole[1] > first):
            continue
        part = (max(whole[0], first), min(whole[1], last))
        # Drawn or graphed is decided on the whole chunk, not the part in range: a segment of
        # a segmented render then draws each frame the way the single pass does.
        is_drawn = drawn and drawable_frames(timeline, whole)
        if is_drawn and parts and parts[-1][1]:
            parts[-1] = ((parts[-1][0][0], part[1]), True)  # adjacent drawn chunks: one
        else:
            parts.append((part, is_drawn))
    size = output_size(timeline.format)
    texts = _texts(timeline, media, size) if any(d for _, d in parts) else []
    chunks = [
        _drawn_chunk(timeline, media, part, size, texts)
        if is_drawn
        else compile_frames_plan(timeline, media, part)
        for part, is_drawn in parts
    ]
    return PipelinedPlan(
        tuple(chunks),
        compile_encode_plan(timeline, options, audio, (first, last)),
        raw_frame_bytes(timeline),
    )
