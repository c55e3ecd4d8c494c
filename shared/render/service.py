"""The render use case: a validated timeline in, a checked MP4 and its poster out.

    resolve sources -> ingest (validate, normalise) -> compile the audio mix -> render it
    -> normalise its loudness (two passes) -> compile the video (producer chunks + one encoder)
    -> render it, pipelined (``pipelined.run_pipeline``) -> verify
    (duration within one frame, size, fps, AAC) -> measure loudness on the MP4 -> poster

Each step reports progress on one 0-100 scale with a step text a person can read. The pieces
the segmented renderer reuses are public: ``prepare_media``, ``render_audio``, ``verify_video``
and ``finish``.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from collections.abc import Collection, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from shared.errors import Cancelled, InvalidMedia, InvalidRequest, RenderFailed
from shared.render.draw import photo_cover
from shared.render.graph import kenburns
from shared.render.graph.compiler import (
    RenderOptions,
    compile_audio_plan,
    compile_pipelined_plan,
    output_size,
)
from shared.render.graph.plan import EncoderSettings, MediaInfo
from shared.render.graph.timing import ms_to_frame, total_frames
from shared.render.media.ingest import (
    DEFAULT_LIMITS,
    MediaLimits,
    ingest_audio,
    ingest_photo,
    ingest_video,
)
from shared.render.media.loudness import measure_loudness, normalise_loudness
from shared.render.media.media_resolver import Resolver
from shared.render.media.music_loop import music_to_length
from shared.render.media.poster import poster_time_ms, write_poster, write_poster_frame
from shared.render.media.probe import StreamFacts, probe_media
from shared.render.run.encoders import choose_encoder
from shared.render.run.pipelined import run_pipeline
from shared.render.run.runner import (
    POLL_INTERVAL_S,
    CancelCheck,
    ProgressCallback,
    is_cancelled,
    run_plan,
)
from shared.render.text.glyph_fallback import missing_glyph_warnings
from shared.timeline.model import Fit, PhotoClip, Quality, Timeline

logger = logging.getLogger(__name__)

# Share of the progress bar per step: the video encode is nearly all of the time.
STEPS = (
    ("Preparing media", 6.0),
    ("Mixing audio", 6.0),
    ("Rendering video", 84.0),
    ("Checking the video", 4.0),
)
LOUDNESS_TOLERANCE_LU = 1.0
INGEST_WORKERS = min(4, os.cpu_count() or 2)


@dataclass(frozen=True)
class RenderResult:
    video_path: Path
    poster_path: Path
    duration_ms: int
    frame_count: int
    size_bytes: int
    width: int
    height: int
    fps: float
    loudness_lufs: float | None  # None when the video is silent
    true_peak_db: float | None
    warnings: tuple[str, ...]
    encoder: str


def scaled(progress: ProgressCallback | None, low: float, high: float) -> ProgressCallback | None:
    """A callback that maps 0-100 onto ``low``-``high`` of ``progress``, keeping the step text."""
    if progress is None:
        return None
    outer = progress

    def report(percent: float, step: str) -> None:
        outer(min(high, low + (high - low) * percent / 100), step)

    return report


class _Steps:
    """Each step's own 0-100 on its share of the whole render, with a cancellation check."""

    def __init__(self, progress: ProgressCallback | None, cancel: CancelCheck | None) -> None:
        self._progress = progress
        self._cancel = cancel
        self._spans: dict[str, tuple[float, float]] = {}
        at = 0.0
        for name, share in STEPS:
            self._spans[name] = (at, at + share)
            at += share

    def begin(self, name: str) -> ProgressCallback | None:
        if is_cancelled(self._cancel):
            raise Cancelled(f"{name}: cancelled")
        report = scaled(self._progress, *self._spans[name])
        if report is not None:
            report(0.0, name)
        return report


def with_quality(timeline: Timeline, quality: Quality | None) -> Timeline:
    if quality is None or quality is timeline.format.quality:
        return timeline
    return timeline.model_copy(
        update={"format": timeline.format.model_copy(update={"quality": quality})}
    )


@dataclass(frozen=True)
class _PhotoNeed:
    fit: Fit
    box: tuple[int, int]
    spare: float  # how much more than the box is worth keeping (the drawer's margin)
    crop: bool  # every use crops: the sides outside the frame's aspect can go at once


def _photo_needs(timeline: Timeline) -> dict[str, _PhotoNeed]:
    """Per photo source: the fit and the box it is sampled from (output size x largest zoom)."""
    width, height = output_size(timeline.format)
    needs: dict[str, _PhotoNeed] = {}
    for clip in timeline.video:
        if not isinstance(clip, PhotoClip):
            continue
        motion = kenburns.resolve(clip.kenburns)
        zoom = kenburns.max_zoom(motion)
        need = _PhotoNeed(
            clip.fit,
            (round(width * zoom), round(height * zoom)),
            photo_cover.COVER_MARGIN if motion else 1.0,  # photo_cover says why
            clip.fit is Fit.CROP,
        )
        seen = needs.get(clip.source)
        if seen is not None:
            # Used twice: keep enough for both uses (covering is the larger need).
            need = _PhotoNeed(
                seen.fit if seen.fit is clip.fit else Fit.CROP,
                (max(need.box[0], seen.box[0]), max(need.box[1], seen.box[1])),
                max(seen.spare, need.spare),
                seen.crop and need.crop,
            )
        needs[clip.source] = need
    return needs


def prepare_media(
    timeline: Timeline,
    resolver: Resolver,
    work_dir: Path,
    *,
    limits: MediaLimits = DEFAULT_LIMITS,
    progress: ProgressCallback | None = None,
    cancel: CancelCheck | None = None,
    only: Collection[str] | None = None,
) -> dict[str, MediaInfo]:
    """Every source of the timeline (or the ones in ``only``: what one segment or the mix
    needs), resolved, validated and normalised: source -> MediaInfo. A photo is normalised for
    every use the whole timeline makes of it, so a part prepared alone has the same pixels.

    Raises InvalidMedia naming the timeline field and the problem for any file we refuse.
    """
    photos = _photo_needs(timeline)
    uses: dict[str, str] = {}  # source -> the first field naming it (for error messages)
    for i, clip in enumerate(timeline.video):
        uses.setdefault(clip.source, f"video[{i}].source")
    for field, track in (("voice.source", timeline.voice), ("music.source", timeline.music)):
        if track is not None:
            uses.setdefault(track.source, field)
    if only is not None:
        uses = {source: field for source, field in uses.items() if source in only}
    downloads, normalised = work_dir / "sources", work_dir / "media"
    downloads.mkdir(parents=True, exist_ok=True)

    def ingest(source: str, field: str, local: Path) -> MediaInfo:
        try:
            if source in photos:
                need = photos[source]
                return ingest_photo(
                    local, normalised, box=need.box, fit=need.fit, crop=need.crop,
                    spare=need.spare, limits=limits, raw=True,
                )  # fmt: skip
            if field.startswith("video["):
                return ingest_video(local, limits=limits)
            return ingest_audio(local, normalised, limits=limits)
        except InvalidMedia as exc:
            raise InvalidMedia(f"{field} ({source}): {exc.message}") from exc

    # Decoding releases the GIL: the sources are ingested side by side, on the cores the
    # encoder has not started on yet. Results (and the first refusal) come in timeline order.
    pool = ThreadPoolExecutor(max_workers=INGEST_WORKERS, thread_name_prefix="ingest")
    try:
        pending: dict[str, Future[MediaInfo]] = {}
        for source, field in uses.items():
            if is_cancelled(cancel):
                raise Cancelled("preparing media: cancelled")
            pending[source] = pool.submit(
                ingest, source, field, resolver.resolve(source, downloads)
            )
        media: dict[str, MediaInfo] = {}
        for n, (source, future) in enumerate(pending.items()):
            while True:
                try:
                    media[source] = future.result(timeout=POLL_INTERVAL_S)
                    break
                except FutureTimeout:
                    if is_cancelled(cancel):
                        raise Cancelled("preparing media: cancelled") from None
            if progress is not None:
                progress((n + 1) / len(uses) * 100, "Preparing media")
    finally:
        pool.shutdown(wait=True, cancel_futures=True)  # the running ones take a second at most
    return media


def render_audio(
    timeline: Timeline,
    media: dict[str, MediaInfo],
    options: RenderOptions,
    work_dir: Path,
    *,
    progress: ProgressCallback | None = None,
    cancel: CancelCheck | None = None,
    ffmpeg: str | None = None,
) -> MediaInfo:
    """The whole mix at the timeline's loudness target, as a WAV of the video's exact length.

    Progress: the mix is the first half, the loudness passes the second.
    """
    media = music_to_length(timeline, media, work_dir, options.sample_rate)
    plan = compile_audio_plan(timeline, media, options)
    mix = work_dir / "mix.wav"
    run_plan(
        plan, mix, progress=scaled(progress, 0, 50), step="Mixing audio", cancel=cancel,
        work_dir=work_dir, ffmpeg=ffmpeg,
    )  # fmt: skip
    normalised = work_dir / "mix-normalised.wav"
    normalise_loudness(
        mix,
        normalised,
        target_lufs=timeline.loudness.target_lufs,
        true_peak_db=timeline.loudness.true_peak_db,
        duration_ms=plan.duration_ms,
        progress=scaled(progress, 50, 100),
        cancel=cancel,
        work_dir=work_dir,
        ffmpeg=ffmpeg,
    )
    return probe_media(normalised)


def verify_video(timeline: Timeline, facts: StreamFacts) -> None:
    """RenderFailed unless the MP4 is what the timeline asks for: size, fps, length, AAC audio."""
    video = facts.video
    if video is None:
        raise RenderFailed("the output has no video stream")
    expected = output_size(timeline.format)
    problems = []
    if (video.width, video.height) != expected:
        problems.append(f"size {video.width}x{video.height}, expected {expected[0]}x{expected[1]}")
    fps = timeline.format.fps
    if abs(video.fps - fps) > 0.01:
        problems.append(f"{video.fps:g} fps, expected {fps}")
    duration = video.duration_ms or facts.duration_ms
    if abs(duration - timeline.duration_ms) > 1000 / fps + 1:
        problems.append(f"lasts {duration} ms, expected {timeline.duration_ms} ms (one frame)")
    if (video.codec, video.pix_fmt) != ("h264", "yuv420p"):
        problems.append(f"video is {video.codec}/{video.pix_fmt}, expected h264/yuv420p")
    if facts.audio is None or facts.audio.codec != "aac":
        problems.append("no AAC audio stream")
    if problems:
        raise RenderFailed("the rendered video is wrong: " + "; ".join(problems))


def finish(
    timeline: Timeline,
    video: Path,
    facts: StreamFacts,
    *,
    encoder: str,
    warnings: list[str],
    frame_count: int,
    ffmpeg: str | None = None,
    poster_frame: bytes | None = None,
    cancel: CancelCheck | None = None,
) -> RenderResult:
    """Verify a rendered MP4, measure its loudness, write its poster: the render's result.
    ``poster_frame`` is the poster's raw frame when the render kept it (else it is decoded)."""
    verify_video(timeline, facts)
    measured = measure_loudness(video, ffmpeg=ffmpeg, cancel=cancel)
    lufs = tp = None
    if not measured.silent:
        lufs, tp = measured.integrated_lufs, measured.true_peak_db
        off = lufs - timeline.loudness.target_lufs
        if abs(off) > LOUDNESS_TOLERANCE_LU:
            warnings.append(
                f"loudness is {lufs:.1f} LUFS, {abs(off):.1f} LU off the "
                f"{timeline.loudness.target_lufs:g} LUFS target"
            )
    poster = video.with_suffix(".jpg")
    assert facts.video is not None  # verify_video checked
    if poster_frame is not None:
        write_poster_frame(poster_frame, output_size(timeline.format), poster)
    else:
        last_frame_ms = max(0, facts.video.duration_ms - round(1000 / timeline.format.fps))
        write_poster(video, poster, min(poster_time_ms(timeline), last_frame_ms), ffmpeg=ffmpeg)
    return RenderResult(
        video_path=video,
        poster_path=poster,
        duration_ms=facts.video.duration_ms or facts.duration_ms,
        frame_count=frame_count,
        size_bytes=video.stat().st_size,
        width=facts.video.width,
        height=facts.video.height,
        fps=facts.video.fps,
        loudness_lufs=lufs,
        true_peak_db=tp,
        warnings=tuple(warnings),
        encoder=encoder,
    )


def poster_frame_index(timeline: Timeline) -> int:
    """The frame the poster shows (``poster_time_ms``), inside the video."""
    fps = timeline.format.fps
    return min(ms_to_frame(poster_time_ms(timeline), fps), total_frames(timeline) - 1)


class _FrameKeeper:
    """A frame tap that keeps a copy of one frame, for the poster."""

    def __init__(self, index: int) -> None:
        self.index = index
        self.kept: bytes | None = None

    def __call__(self, frame: int, data: np.ndarray) -> None:
        if frame == self.index:
            self.kept = data.tobytes()


@contextmanager
def private_work_dir(parent: Path | None) -> Iterator[Path]:
    """A fresh folder for one render's intermediates, removed afterwards whatever happens."""
    if parent is not None:
        parent.mkdir(parents=True, exist_ok=True)
    path = Path(tempfile.mkdtemp(prefix="render-", dir=parent))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def render_timeline(
    timeline: Timeline,
    resolver: Resolver,
    out_path: Path,
    *,
    quality: Quality | None = None,
    progress: ProgressCallback | None = None,
    cancel: CancelCheck | None = None,
    work_dir: Path | None = None,
    encoder: EncoderSettings | None = None,
    limits: MediaLimits = DEFAULT_LIMITS,
    timeout_s: float | None = None,
    ffmpeg: str | None = None,
) -> RenderResult:
    """Render ``timeline`` to ``out_path`` (MP4) with a poster beside it (same name, .jpg).

    ``quality`` overrides the timeline's own; ``encoder`` overrides the probed choice;
    ``work_dir`` is where a private scratch folder goes (the system temp folder if None);
    ``timeout_s`` bounds the video encode.

    Raises:
        InvalidMedia / InvalidRequest / NotFound: a source is missing or refused.
        Cancelled: ``cancel`` was set; nothing is left at ``out_path``.
        RenderFailed: FFmpeg failed or the result did not check out.
    """
    if out_path.suffix.lower() != ".mp4":
        raise InvalidRequest(f"output {out_path.name!r}: must be an .mp4 file")
    if timeline.captions and timeline.captions.enabled and timeline.voice is None:
        # A job adds the voice it made before it renders; here there is nothing to time them to.
        raise InvalidRequest("captions: need a voice track with a script")
    timeline = with_quality(timeline, quality)
    steps = _Steps(progress, cancel)
    warnings: list[str] = []
    encoder = encoder or choose_encoder(timeline.format.quality, ffmpeg)
    options = RenderOptions(encoder=encoder)
    with private_work_dir(work_dir) as scratch:
        media = prepare_media(
            timeline, resolver, scratch, limits=limits,
            progress=steps.begin("Preparing media"), cancel=cancel,
        )  # fmt: skip
        warnings += small_photo_warnings(timeline, media)
        warnings += missing_glyph_warnings(timeline)
        audio = render_audio(
            timeline, media, options, scratch,
            progress=steps.begin("Mixing audio"), cancel=cancel, ffmpeg=ffmpeg,
        )  # fmt: skip
        # Producers of a few clips each stream raw frames into one encoder: memory stays
        # bounded whatever the photo count, and the graph runs beside the encoder.
        plan = compile_pipelined_plan(timeline, media, options, audio)
        poster = _FrameKeeper(poster_frame_index(timeline))
        result = run_pipeline(
            plan,
            out_path,
            progress=steps.begin("Rendering video"),
            step=f"Rendering video ({encoder.codec})",
            cancel=cancel,
            timeout_s=timeout_s,
            work_dir=scratch,
            ffmpeg=ffmpeg,
            tap=poster,
        )
    try:
        check = steps.begin("Checking the video")
        done = finish(
            timeline, result.path, result.facts, encoder=encoder.codec, warnings=warnings,
            frame_count=result.frame_count, ffmpeg=ffmpeg, poster_frame=poster.kept,
            cancel=cancel,
        )  # fmt: skip
    except BaseException:
        # Not delivered: a video that failed its checks, or one cancelled at the last moment.
        result.path.unlink(missing_ok=True)
        result.path.with_suffix(".jpg").unlink(missing_ok=True)
        raise
    if check is not None:
        check(100.0, "Done")
    logger.info(
        "render done",
        extra={
            "output": done.video_path.name,
            "duration_ms": done.duration_ms,
            "encoder": done.encoder,
            "loudness_lufs": done.loudness_lufs,
        },
    )
    return done


def small_photo_warnings(timeline: Timeline, media: dict[str, MediaInfo]) -> list[str]:
    """Photos smaller than the frame they fill will look soft: say so instead of hiding it."""
    width, height = output_size(timeline.format)
    found = []
    for i, clip in enumerate(timeline.video):
        info = media.get(clip.source)  # a segment prepares only its own clips' media
        if info is None or not isinstance(clip, PhotoClip):
            continue
        if max(info.width / width, info.height / height) < 0.5:
            found.append(
                f"video[{i}]: the photo is only {info.width}x{info.height} for a "
                f"{width}x{height} frame; it will look soft"
            )
    return found
