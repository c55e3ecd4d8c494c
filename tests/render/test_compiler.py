"""The compiler's contracts without running FFmpeg: escaping, frame accuracy, transitions,
media checks, segments, and the audio graph's shape."""

from __future__ import annotations

import re

import pytest

from shared.errors import InvalidRequest
from shared.render.graph.compiler import compile_audio_plan, compile_video_plan, output_size
from shared.render.graph.escape import escape_filter_arg
from shared.render.graph.plan import MediaInfo, MediaKind
from shared.render.graph.timing import clip_spans, ms_to_frame, total_frames
from shared.timeline import OutputFormat, Timeline, TransitionType, parse_timeline
from tests.render.compiler_fixtures import FIXTURE_MEDIA, MIX, OPTIONS, load_timeline

HOSTILE = [
    "x';drawtext=textfile=/etc/hostname:text='",
    "50% off %{pts}",
    "%{localtime}",
    "%{e:1+",
    "A, B; C [D] \\ end:",
    "x',movie=filename=/etc/passwd,drawtext=text='y",
]
_APP_TEXT_FILE = re.compile(r"^(text_\d{2}|caption_\d{3})\.txt$")


def _photos_timeline(n: int, transition: dict[str, object], **extra: object) -> Timeline:
    clip = {"kind": "photo", "source": "photos/cup.jpg", "duration_ms": 1000}
    video = [dict(clip, transition=transition) for _ in range(n - 1)] + [clip]
    return parse_timeline({"kind": "long_form", "video": video, **extra})


def test_escaping_matches_ffmpeg_documented_example() -> None:
    # doc/filters.texi, "Notes on filtergraph escaping"
    raw = "this is a 'string': may contain one, or more, special characters"
    expected = r"this is a \\\'string\\\'\\: may contain one\, or more\, special characters"
    assert escape_filter_arg(raw) == expected


@pytest.mark.parametrize("value", ["a\x00b", "line\nbreak", "cr\r"])
def test_escaping_refuses_what_no_filter_argument_can_hold(value: str) -> None:
    with pytest.raises(ValueError, match="NUL or line breaks"):
        escape_filter_arg(value)


def test_font_path_with_a_drive_colon_is_escaped() -> None:
    assert escape_filter_arg("C:/fonts/a b.ttf") == r"C\\:/fonts/a b.ttf"


@pytest.mark.parametrize("text", HOSTILE)
def test_user_text_only_ever_reaches_text_files(text: str) -> None:
    timeline = parse_timeline(
        {
            "video": [{"kind": "photo", "source": "photos/cup.jpg", "duration_ms": 2000}],
            "texts": [{"text": text, "start_ms": 0, "end_ms": 2000}],
            "captions": {},
            "voice": {"source": "audio/voice.wav", "script": f"{text} and more words {text}"},
        }
    )
    plan = compile_video_plan(timeline, FIXTURE_MEDIA, OPTIONS, MIX)
    graph = plan.filter_graph
    assert text not in graph
    for fragment in ("hostname", "passwd", "%{", "movie", "amovie", "localtime"):
        assert fragment not in graph
    drawn = re.findall(r"drawtext=", graph)
    assert len(drawn) == len(plan.text_files) >= 2
    assert all(_APP_TEXT_FILE.match(name) for name in re.findall(r"textfile=([^:]+)", graph))
    assert graph.count("expansion=none") == len(drawn)
    assert plan.text_files["text_00.txt"].replace("\n", " ") == text
    assert any(text in body.replace("\n", " ") for name, body in plan.text_files.items()
               if name.startswith("caption_"))  # fmt: skip


def test_bidi_overrides_are_dropped_from_text() -> None:
    timeline = parse_timeline(
        {
            "video": [{"kind": "photo", "source": "photos/cup.jpg", "duration_ms": 2000}],
            "texts": [{"text": "abc\u202edef", "start_ms": 0, "end_ms": 2000}],
        }
    )
    plan = compile_video_plan(timeline, FIXTURE_MEDIA, OPTIONS, None)
    assert plan.text_files["text_00.txt"] == "abcdef"


@pytest.mark.parametrize("fps", [24, 25, 30])
def test_clip_spans_are_frame_accurate_and_contiguous(fps: int) -> None:
    durations = [1001, 2333, 1717, 999]
    fades = [333, 0, 250]
    video = [
        {
            "kind": "photo",
            "source": "photos/cup.jpg",
            "duration_ms": d,
            "transition": {"type": "fade", "duration_ms": f} if f else {"type": "cut"},
        }
        for d, f in zip(durations, [*fades, 0], strict=True)
    ]
    timeline = parse_timeline({"format": {"fps": fps}, "video": video})
    spans = clip_spans(timeline)
    assert spans[0].start == 0 and spans[-1].end == total_frames(timeline)
    assert total_frames(timeline) == ms_to_frame(timeline.duration_ms, fps)
    for prev, span in zip(spans, spans[1:], strict=False):
        assert span.start == prev.end - span.overlap_in
        assert span.overlap_in == (
            0 if span.transition_in is TransitionType.CUT else span.overlap_in
        )
    assert (
        spans[1].overlap_in == ms_to_frame(333, fps)
        or abs(spans[1].overlap_in - ms_to_frame(333, fps)) <= 1
    )
    plan = compile_video_plan(timeline, FIXTURE_MEDIA, OPTIONS, None)
    assert plan.frame_count == total_frames(timeline)
    assert f"-frames:v\x00{plan.frame_count}" in "\x00".join(plan.output_args)


def test_ms_to_frame_rounds_half_up_exactly() -> None:
    assert ms_to_frame(0, 30) == 0
    assert ms_to_frame(50, 30) == 2  # 1.5 frames
    assert ms_to_frame(16, 30) == 0 and ms_to_frame(17, 30) == 1
    assert ms_to_frame(3_600_000, 24) == 86_400


@pytest.mark.parametrize("kind", [t for t in TransitionType if t is not TransitionType.CUT])
def test_each_transition_is_an_xfade_over_the_shared_frames(kind: TransitionType) -> None:
    timeline = _photos_timeline(2, {"type": kind.value, "duration_ms": 400})
    graph = compile_video_plan(timeline, FIXTURE_MEDIA, OPTIONS, None).filter_graph
    assert f"xfade=transition={kind.value}:duration=0.400000:offset=0" in graph
    assert "[v0]segment=frames=18[b0][t0]" in graph and "[v1]segment=frames=12[h1][b1]" in graph


def test_cuts_are_a_plain_concat() -> None:
    timeline = _photos_timeline(3, {"type": "cut"})
    graph = compile_video_plan(timeline, FIXTURE_MEDIA, OPTIONS, None).filter_graph
    assert "xfade" not in graph and "segment" not in graph
    assert "[v0][v1][v2]concat=n=3:v=1:a=0" in graph


def test_missing_or_wrong_media_is_named() -> None:
    timeline = load_timeline("ad_landscape")
    media = {k: v for k, v in FIXTURE_MEDIA.items() if k != "photos/beans.png"}
    with pytest.raises(InvalidRequest, match=r"video\[1\]\.source: no media .*beans\.png"):
        compile_video_plan(timeline, media, OPTIONS, MIX)
    media["photos/beans.png"] = MediaInfo("in/b.wav", MediaKind.AUDIO, duration_ms=10)
    with pytest.raises(InvalidRequest, match=r"video\[1\]\.source: .* is audio, expected image"):
        compile_video_plan(timeline, media, OPTIONS, MIX)
    with pytest.raises(InvalidRequest, match=r"voice\.source"):
        compile_audio_plan(timeline, {}, OPTIONS)
    media["audio/music.mp3"] = MediaInfo("in/m.mp3", MediaKind.AUDIO, duration_ms=0)
    with pytest.raises(InvalidRequest, match=r"music\.source: the duration .* is unknown"):
        compile_audio_plan(timeline, media, OPTIONS)


def test_output_sizes() -> None:
    assert output_size(OutputFormat(aspect="9:16")) == (1080, 1920)
    assert output_size(OutputFormat(aspect="16:9", quality="preview")) == (640, 360)
    assert output_size(OutputFormat(aspect="9:16", quality="preview")) == (360, 640)
    assert output_size(OutputFormat(aspect="1:1", quality="preview")) == (360, 360)


def test_frame_range_renders_only_the_clips_it_touches_with_shifted_times() -> None:
    timeline = load_timeline("ad_landscape")  # clips: frames [0,90) [75,150) [138,198)
    whole = compile_video_plan(timeline, FIXTURE_MEDIA, OPTIONS, MIX)
    part = compile_video_plan(timeline, FIXTURE_MEDIA, OPTIONS, None, frame_range=(80, 140))
    assert part.frame_count == 60 and "-an" in part.output_args
    assert len(part.inputs) == 3  # clip 0's tail, clip 1, clip 2's head: all touched
    assert "trim=start_frame=80:end_frame=140" in part.filter_graph
    tail = compile_video_plan(timeline, FIXTURE_MEDIA, OPTIONS, None, frame_range=(150, 198))
    assert [i.path for i in tail.inputs] == ["in/cup.jpg"]
    # the call to action shows on frames 144..197: frames -6..47 of the part starting at 150
    assert r"enable=between(n\,144\,197)" in whole.filter_graph
    assert r"enable=between(n\,-6\,47)" in tail.filter_graph
    assert "text_01.txt" not in part.text_files  # not on screen in frames 80..139
    assert set(tail.text_files) <= set(whole.text_files)
    with pytest.raises(InvalidRequest, match="frame_range"):
        compile_video_plan(timeline, FIXTURE_MEDIA, OPTIONS, None, frame_range=(150, 199))


def test_audio_plan_mixes_ducks_and_cuts_to_the_exact_length() -> None:
    timeline = load_timeline("ad_landscape")
    plan = compile_audio_plan(timeline, FIXTURE_MEDIA, OPTIONS)
    samples = 198 * 48000 // 30
    graph = plan.filter_graph
    assert graph.count(f"atrim=end_sample={samples}") >= 2
    assert "asplit=2[voice][key]" in graph and "[music][key]sidechaincompress=" in graph
    assert "amix=inputs=2:duration=first:normalize=0" in graph
    assert "adelay=delays=24000S:all=1" in graph  # 500 ms offset, in samples
    assert graph.count("acrossfade=d=0.800") == 1  # 4 s of music looped once for 6.6 s
    assert plan.output_args[-2:] == ("-f", "wav") and "pcm_f32le" in plan.output_args


def test_audio_plan_without_audio_is_silence_of_the_right_length() -> None:
    timeline = load_timeline("square_still")
    plan = compile_audio_plan(timeline, FIXTURE_MEDIA, OPTIONS)
    assert plan.inputs == ()
    # 1.5 s at 25 fps is 37.5 frames: 38 frames, 38 * 1920 samples
    assert plan.frame_count == 38
    assert plan.filter_graph.startswith("anullsrc=r=48000:cl=stereo,atrim=end_sample=72960,")


def test_ducking_can_be_turned_off() -> None:
    raw = load_timeline("ad_landscape").model_dump(mode="json")
    raw["music"]["duck"] = {"enabled": False}
    graph = compile_audio_plan(parse_timeline(raw), FIXTURE_MEDIA, OPTIONS).filter_graph
    assert "sidechaincompress" not in graph and "[voice][music]amix" in graph


def test_long_music_is_not_looped_and_short_music_loops_enough() -> None:
    raw = load_timeline("ad_landscape").model_dump(mode="json")
    media = dict(FIXTURE_MEDIA)
    media["audio/music.mp3"] = MediaInfo("in/m.mp3", MediaKind.AUDIO, duration_ms=60_000)
    graph = compile_audio_plan(parse_timeline(raw), media, OPTIONS).filter_graph
    assert "acrossfade" not in graph
    media["audio/music.mp3"] = MediaInfo("in/m.mp3", MediaKind.AUDIO, duration_ms=1000)
    graph = compile_audio_plan(parse_timeline(raw), media, OPTIONS).filter_graph
    # 1 s copies overlapping by 0.5 s (the crossfade is capped at half the music) cover 6.6 s
    assert graph.count("acrossfade=d=0.500") == 12


def test_every_input_is_local_only_with_a_forced_demuxer() -> None:
    timeline = load_timeline("portrait_video")
    plans = [
        compile_video_plan(timeline, FIXTURE_MEDIA, OPTIONS, MIX),
        compile_audio_plan(timeline, FIXTURE_MEDIA, OPTIONS),
    ]
    for plan in plans:
        for spec in plan.inputs:
            assert "-f" in spec.options, spec
        # FFmpeg applies input options to the next -i only: each input carries its whitelist.
        argv = plan.argv("ffmpeg", "out.mp4")
        inputs = [i for i, arg in enumerate(argv) if arg == "-i"]
        starts = [0, *inputs[:-1]]
        for start, at in zip(starts, inputs, strict=True):
            window = argv[start:at]
            assert ["-protocol_whitelist", "file"] == window[window.index("-protocol_whitelist") :][
                :2
            ]
