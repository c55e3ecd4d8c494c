"""Render a timeline as segments in parallel FFmpeg processes, then join them without re-encoding.

The audio is mixed and normalised once over the whole timeline; the picture is cut at clip ends
(``segments.plan_segments``) and each segment renders as its own pipelined render (one encoder
FFmpeg fed by producers of a few clips each, ``pipelined.run_pipeline``) with the same encoder
settings, at most one per core here (in the cloud each would be its own worker). A segment
is stored in ``cache_dir`` under its content key, so a re-render after an edit re-uses every
segment the edit did not touch, and a segment that fails is retried alone. The segments are joined
by the concat demuxer (stream copy) with the normalised mix muxed in, then the poster is written.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
import uuid
from collections import Counter
from collections.abc import Callable
from concurrent.futures import FIRST_EXCEPTION, Future, ThreadPoolExecutor, wait
from pathlib import Path

import imageio_ffmpeg

from shared.errors import Cancelled, InvalidMedia, RenderFailed
from shared.render.graph.compiler import PipelinedPlan, RenderOptions, compile_pipelined_plan
from shared.render.graph.plan import EncoderSettings, InputSpec, MediaInfo, RenderPlan
from shared.render.media.ingest import MediaLimits
from shared.render.media.media_resolver import Resolver
from shared.render.media.probe import probe_streams, video_parameter_sets
from shared.render.run.encoders import choose_encoder
from shared.render.run.pipelined import run_pipeline
from shared.render.run.runner import (
    CancelCheck,
    ProgressCallback,
    RunResult,
    is_cancelled,
    run_plan,
)
from shared.render.run.segments import KeyContext, Segment, plan_segments, voice_ms
from shared.render.service import (
    RenderResult,
    finish,
    prepare_media,
    private_work_dir,
    render_audio,
    scaled,
    small_photo_warnings,
    with_quality,
)
from shared.timeline.model import Quality, Timeline

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 3  # a segment is tried at most this often before the render fails
# Share of the progress bar per step; the segments (weighted by frames) are nearly all of it.
STEPS = {
    "Preparing media": (0.0, 6.0),
    "Mixing audio": (6.0, 12.0),
    "Rendering segments": (12.0, 92.0),
    "Joining segments": (92.0, 96.0),
    "Checking the video": (96.0, 100.0),
}
FLUSH_INTERVAL_S = 0.25
_RENDER_SOURCES = Path(__file__).parents[1]  # all of shared/render

RunSegment = Callable[..., RunResult]
"""``pipelined.run_pipeline``'s signature; a parameter so tests can make a real render fail once."""


def file_digest(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def renderer_version(ffmpeg: str) -> str:
    """A digest of what turns a plan into pixels besides the timeline: this package's code and
    fonts, and the FFmpeg binary (its file name carries its version). Any change to them must
    invalidate cached segments."""
    h = hashlib.sha256(Path(ffmpeg).name.encode())
    for path in sorted(_RENDER_SOURCES.rglob("*")):
        if path.suffix in (".py", ".ttf") and path.is_file():
            h.update(path.relative_to(_RENDER_SOURCES).as_posix().encode())
            h.update(file_digest(path).encode())
    return h.hexdigest()


class _SegmentProgress:
    """Each segment's percent, recorded by the worker threads and reported, weighted by frames,
    by the thread that called ``render_segmented`` (callbacks never run on a worker thread)."""

    def __init__(self, segments: list[Segment], report: ProgressCallback | None) -> None:
        self._report = report
        self._frames = {s.index: s.frame_count for s in segments}
        self._percent = dict.fromkeys(self._frames, 0.0)
        self._lock = threading.Lock()

    def record(self, index: int) -> ProgressCallback:
        def on_progress(percent: float, step: str) -> None:
            with self._lock:
                self._percent[index] = max(self._percent[index], percent)

        return on_progress

    def flush(self) -> None:
        if self._report is None:
            return
        with self._lock:
            done = sum(self._frames[i] * p / 100 for i, p in self._percent.items())
            finished = sum(p >= 100 for p in self._percent.values())
        total = sum(self._frames.values())
        self._report(done / total * 100, f"Rendering segments ({finished}/{len(self._frames)})")


def _cached(path: Path, segment: Segment) -> bool:
    """Whether ``path`` holds a whole, readable render of ``segment`` (written by an earlier run:
    it was checked then and renamed into place only whole, but a cache folder can be tampered
    with or truncated, and a bad segment would spoil every join that uses it)."""
    if not path.exists():
        return False
    try:
        facts = probe_streams(path, count_frames=True)
    except InvalidMedia:
        logger.warning("cached segment unreadable; rendering it again", extra={"file": path.name})
        return False
    return facts.video is not None and facts.video.frame_count == segment.frame_count


class _Renderer:
    """Renders the segments that are not cached, each retried alone, in parallel processes."""

    def __init__(
        self,
        plans: dict[int, PipelinedPlan],
        paths: dict[int, Path],
        *,
        run: RunSegment,
        cancel: CancelCheck | None,
        work_dir: Path,
        timeout_s: float | None,
        ffmpeg: str,
    ) -> None:
        self._plans = plans
        self._paths = paths
        self._run = run
        self._user_cancel = cancel
        self._stop = threading.Event()  # set when any segment has failed for good
        self._work_dir = work_dir
        self._timeout_s = timeout_s
        self._ffmpeg = ffmpeg

    def _cancelled(self) -> bool:
        return self._stop.is_set() or is_cancelled(self._user_cancel)

    def _render(self, segment: Segment, progress: ProgressCallback) -> None:
        plan, path = self._plans[segment.index], self._paths[segment.index]
        for attempt in range(1, MAX_ATTEMPTS + 1):
            try:
                result = self._run(
                    plan,
                    path,
                    progress=progress,
                    step=f"Rendering segment {segment.index}",
                    cancel=self._cancelled,
                    timeout_s=self._timeout_s,
                    work_dir=self._work_dir,
                    ffmpeg=self._ffmpeg,
                )
                if result.frame_count != segment.frame_count:
                    path.unlink(missing_ok=True)
                    raise RenderFailed(
                        f"segment {segment.index} has {result.frame_count} frames, "
                        f"expected {segment.frame_count}"
                    )
                return
            except RenderFailed as exc:
                if self._cancelled() or attempt == MAX_ATTEMPTS:
                    raise
                logger.warning(
                    "segment failed; retrying it alone",
                    extra={"segment": segment.index, "attempt": attempt, "error": exc.message},
                )

    def render(self, todo: list[Segment], progress: _SegmentProgress, workers: int) -> None:
        if not todo:
            return
        with ThreadPoolExecutor(max_workers=min(workers, len(todo))) as pool:
            futures: list[Future[None]] = [
                pool.submit(self._render, s, progress.record(s.index)) for s in todo
            ]
            pending = set(futures)
            try:
                while pending:
                    done, pending = wait(pending, FLUSH_INTERVAL_S, return_when=FIRST_EXCEPTION)
                    progress.flush()
                    if any(f.exception() is not None for f in done):
                        break
            finally:
                if pending:  # a failure or the caller's cancel: stop every other FFmpeg now
                    self._stop.set()
                for future in pending:
                    future.cancel()
        errors = [f.exception() for f in futures if f.done() and not f.cancelled()]
        failures = [e for e in errors if e is not None]
        if is_cancelled(self._user_cancel):
            raise Cancelled("rendering segments: cancelled")
        if failures:
            raise next((e for e in failures if not isinstance(e, Cancelled)), failures[0])


def _join_plan(
    listing: Path, audio: MediaInfo, options: RenderOptions, frames: int, duration_ms: int
) -> RenderPlan:
    """The segments in ``listing`` stream-copied by the concat demuxer, the mix encoded as AAC
    exactly as the single pass encodes it."""
    return RenderPlan(
        inputs=(
            InputSpec(str(listing), ("-f", "concat", "-safe", "1")),
            InputSpec(audio.path, ("-f", audio.container or "wav")),
        ),
        filter_graph="[1:a]anull[a]",
        output_args=(
            "-map",
            "0:v",
            "-map",
            "[a]",
            "-c:v",
            "copy",
            "-c:a",
            "aac",
            "-b:a",
            options.audio_bitrate,
            "-ar",
            str(options.sample_rate),
            "-ac",
            "2",
            "-movflags",
            "+faststart",
        ),  # fmt: skip
        duration_ms=duration_ms,
        frame_count=frames,
    )


def render_segmented(
    timeline: Timeline,
    resolver: Resolver,
    out_path: Path,
    *,
    segments: int,
    cache_dir: Path,
    quality: Quality | None = None,
    progress: ProgressCallback | None = None,
    cancel: CancelCheck | None = None,
    work_dir: Path | None = None,
    encoder: EncoderSettings | None = None,
    limits: MediaLimits | None = None,
    workers: int | None = None,
    timeout_s: float | None = None,
    ffmpeg: str | None = None,
    run: RunSegment = run_pipeline,
) -> RenderResult:
    """Render ``timeline`` to ``out_path`` in up to ``segments`` parallel segments.

    The result equals ``service.render_timeline``'s (same frames, same checks, same poster).
    ``cache_dir`` keeps the segments by content key across renders; ``workers`` bounds the
    FFmpeg processes at once (default: one per core); ``timeout_s`` bounds each segment.

    Raises what ``render_timeline`` raises; RenderFailed once a segment has failed
    ``MAX_ATTEMPTS`` times (every other segment is stopped).
    """
    ffmpeg = ffmpeg or imageio_ffmpeg.get_ffmpeg_exe()
    timeline = with_quality(timeline, quality)
    encoder = encoder or choose_encoder(timeline.format.quality, ffmpeg)
    options = RenderOptions(encoder=encoder)
    cache_dir.mkdir(parents=True, exist_ok=True)

    def step(name: str) -> ProgressCallback | None:
        if is_cancelled(cancel):
            raise Cancelled(f"{name}: cancelled")
        report = scaled(progress, *STEPS[name])
        if report is not None:
            report(0.0, name)
        return report

    with private_work_dir(work_dir) as scratch:
        media = prepare_media(
            timeline, resolver, scratch, limits=limits or MediaLimits(),
            progress=step("Preparing media"), cancel=cancel,
        )  # fmt: skip
        warnings = small_photo_warnings(timeline, media)
        context = KeyContext(
            media_hashes={src: file_digest(Path(info.path)) for src, info in media.items()},
            encoder=encoder,
            render=renderer_version(ffmpeg),
            voice_ms=voice_ms(timeline, media),
        )
        planned = plan_segments(timeline, segments, context)
        paths = {s.index: cache_dir / f"{s.key}.mp4" for s in planned}
        todo = [s for s in planned if not _cached(paths[s.index], s)]
        logger.info(
            "segments planned",
            extra={"segments": len(planned), "cached": len(planned) - len(todo)},
        )
        audio = render_audio(
            timeline, media, options, scratch,
            progress=step("Mixing audio"), cancel=cancel, ffmpeg=ffmpeg,
        )  # fmt: skip
        # Each segment is itself pipelined: its encoder holds no photo, its producers a few.
        plans = {
            s.index: compile_pipelined_plan(timeline, media, options, None, s.frame_range)
            for s in todo
        }
        renderer = _Renderer(
            plans, paths, run=run, cancel=cancel, work_dir=scratch, timeout_s=timeout_s,
            ffmpeg=ffmpeg,
        )  # fmt: skip
        renderer.render(
            todo, _SegmentProgress(todo, step("Rendering segments")), workers or os.cpu_count() or 1
        )
        done = join_segments(
            timeline, [paths[s.index] for s in planned], sum(s.frame_count for s in planned),
            audio, out_path, options, warnings=warnings, progress=step("Joining segments"),
            cancel=cancel, work_dir=scratch, ffmpeg=ffmpeg,
        )  # fmt: skip
    check = step("Checking the video")
    if check is not None:
        check(100.0, "Done")
    return done


def _check_same_encoding(segments: list[Path]) -> None:
    """Refuse to join segments whose H.264 parameter sets differ: the joined file carries the
    first one's, so a segment encoded otherwise (another x264 build on a mixed fleet, other
    settings) would decode as garbage rather than fail. Reading them costs one header each."""
    sets = [video_parameter_sets(path) for path in segments]
    most = Counter(sets).most_common(1)[0][0]
    odd = [path.name for path, found in zip(segments, sets, strict=True) if found != most]
    if odd:
        logger.error(
            "segments encoded differently", extra={"segments": len(segments), "differing": odd[:20]}
        )
        refused = RenderFailed(
            f"{len(odd)} of {len(segments)} parts of the video were encoded differently from the "
            "others (renderers of different versions), so they cannot be joined"
        )
        refused.retryable = False  # joining the same parts again cannot help
        raise refused


def join_segments(
    timeline: Timeline,
    segments: list[Path],
    frames: int,
    audio: MediaInfo,
    out_path: Path,
    options: RenderOptions,
    *,
    warnings: list[str],
    progress: ProgressCallback | None = None,
    cancel: CancelCheck | None = None,
    work_dir: Path | None = None,
    ffmpeg: str | None = None,
) -> RenderResult:
    """The ``segments`` (in order, all in one folder) stream-copied into ``out_path`` with the
    mix ``audio`` muxed in, checked (``frames`` frames, ``service.finish``) and with its poster.
    Nothing is re-encoded, so memory and time do not grow with the picture's complexity."""
    folder = segments[0].parent
    if any(path.parent != folder for path in segments):
        raise ValueError("join_segments: the segments must lie in one folder")
    _check_same_encoding(segments)
    # The list lives beside the segments and names them by bare file name, which the concat
    # demuxer's safe mode accepts: no path of the caller's is ever written into it.
    listing = folder / f".join-{uuid.uuid4().hex[:12]}.txt"
    listing.write_text("".join(f"file '{path.name}'\n" for path in segments))
    try:
        joined = run_plan(
            _join_plan(listing, audio, options, frames, timeline.duration_ms),
            out_path, progress=progress, step="Joining segments", cancel=cancel,
            work_dir=work_dir, ffmpeg=ffmpeg,
        )  # fmt: skip
    finally:
        listing.unlink(missing_ok=True)
    try:
        if joined.frame_count != frames:
            raise RenderFailed(f"the joined video has {joined.frame_count} frames, not {frames}")
        return finish(
            timeline, joined.path, joined.facts, encoder=options.encoder.codec,
            warnings=warnings, frame_count=joined.frame_count, ffmpeg=ffmpeg, cancel=cancel,
        )  # fmt: skip
    except BaseException:
        joined.path.unlink(missing_ok=True)  # a video that failed its checks is not delivered
        raise
