"""One render split across workers: the mix, each segment and the join, each run by its own task,
maybe on different machines (shared/pipeline/fanout.py plans them).

    mix        the whole programme's audio, normalised once over its full length (not per part)
    segment i  frames [first, end) cut at clip ends, a closed GOP of its own; it needs only its
               clips' media (and the voice when captions are drawn), and its content key names it
    join       the segments stream-copied in order, the mix muxed in, faststart, checked

Every segment of a job is encoded by libx264 with the same settings wherever it runs: segments
are joined by stream copy, and an MP4 holds one set of H.264 parameters, so a GPU box's NVENC
segment could not sit beside a cloud worker's libx264 one.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import imageio_ffmpeg

from shared.errors import RenderFailed
from shared.render.graph.compiler import RenderOptions, compile_pipelined_plan
from shared.render.graph.plan import EncoderSettings, MediaInfo
from shared.render.media.ingest import DEFAULT_LIMITS, MediaLimits
from shared.render.media.media_resolver import Resolver
from shared.render.media.probe import probe_media
from shared.render.run.encoders import x264_settings
from shared.render.run.pipelined import run_pipeline
from shared.render.run.runner import CancelCheck, ProgressCallback
from shared.render.run.segmented import file_digest, join_segments, renderer_version
from shared.render.run.segments import KeyContext, Segment, segment, segment_sources, voice_ms
from shared.render.service import (
    RenderResult,
    prepare_media,
    private_work_dir,
    render_audio,
    scaled,
    small_photo_warnings,
)
from shared.render.text.glyph_fallback import missing_glyph_warnings
from shared.timeline.model import Timeline


def segment_encoder(timeline: Timeline, threads: int = 0) -> EncoderSettings:
    """The one encoder every segment of ``timeline`` uses; ``threads`` > 0 caps x264's threads
    (a fair benchmark of one worker against two on one machine)."""
    settings = x264_settings(timeline.format.quality)
    if threads > 0:
        settings = EncoderSettings(settings.codec, (*settings.args, "-threads", str(threads)))
    return settings


@dataclass(frozen=True)
class PreparedSegment:
    segment: Segment  # with its content key: the name its file is stored under
    media: dict[str, MediaInfo]
    warnings: tuple[str, ...]


def prepare_segment(
    timeline: Timeline,
    index: int,
    frame_range: tuple[int, int],
    resolver: Resolver,
    work_dir: Path,
    encoder: EncoderSettings,
    *,
    limits: MediaLimits = DEFAULT_LIMITS,
    progress: ProgressCallback | None = None,
    cancel: CancelCheck | None = None,
    ffmpeg: str | None = None,
) -> PreparedSegment:
    """The media segment ``index`` needs, prepared, and its content key (which hashes those
    files, so it is known only once they are here)."""
    ffmpeg = ffmpeg or imageio_ffmpeg.get_ffmpeg_exe()
    media = prepare_media(
        timeline, resolver, work_dir, limits=limits, progress=progress, cancel=cancel,
        only=segment_sources(timeline, frame_range),
    )  # fmt: skip
    context = KeyContext(
        media_hashes={src: file_digest(Path(info.path)) for src, info in media.items()},
        encoder=encoder,
        render=renderer_version(ffmpeg),
        voice_ms=voice_ms(timeline, media),
    )
    made = segment(timeline, index, frame_range, context)
    return PreparedSegment(made, media, tuple(small_photo_warnings(timeline, media)))


def render_segment(
    timeline: Timeline,
    prepared: PreparedSegment,
    encoder: EncoderSettings,
    out_path: Path,
    *,
    progress: ProgressCallback | None = None,
    cancel: CancelCheck | None = None,
    work_dir: Path | None = None,
    timeout_s: float | None = None,
    ffmpeg: str | None = None,
) -> Path:
    """Encode the prepared segment's frames (video only) to ``out_path``; RenderFailed unless it
    has exactly the segment's frame count."""
    seg = prepared.segment
    plan = compile_pipelined_plan(
        timeline, prepared.media, RenderOptions(encoder=encoder), None, seg.frame_range
    )
    result = run_pipeline(
        plan, out_path, progress=progress, step=f"Rendering segment {seg.index + 1}",
        cancel=cancel, timeout_s=timeout_s, work_dir=work_dir, ffmpeg=ffmpeg,
    )  # fmt: skip
    if result.frame_count != seg.frame_count:
        out_path.unlink(missing_ok=True)
        raise RenderFailed(
            f"segment {seg.index + 1} has {result.frame_count} frames, expected {seg.frame_count}"
        )
    return result.path


def render_mix(
    timeline: Timeline,
    resolver: Resolver,
    out_path: Path,
    *,
    limits: MediaLimits = DEFAULT_LIMITS,
    progress: ProgressCallback | None = None,
    cancel: CancelCheck | None = None,
    work_dir: Path | None = None,
    ffmpeg: str | None = None,
) -> MediaInfo:
    """The whole programme's mix at its loudness target, as a WAV at ``out_path``."""
    sources = [t.source for t in (timeline.voice, timeline.music) if t is not None]
    options = RenderOptions(encoder=segment_encoder(timeline))
    with private_work_dir(work_dir) as scratch:
        media = prepare_media(
            timeline, resolver, scratch, limits=limits, progress=scaled(progress, 0, 20),
            cancel=cancel, only=sources,
        )  # fmt: skip
        mixed = render_audio(
            timeline, media, options, scratch, progress=scaled(progress, 20, 100),
            cancel=cancel, ffmpeg=ffmpeg,
        )  # fmt: skip
        shutil.move(mixed.path, out_path)
    return probe_media(out_path)


def join(
    timeline: Timeline,
    segments: list[Path],
    frames: int,
    mix: Path,
    out_path: Path,
    *,
    warnings: list[str],
    progress: ProgressCallback | None = None,
    cancel: CancelCheck | None = None,
    work_dir: Path | None = None,
    ffmpeg: str | None = None,
) -> RenderResult:
    """The segments (all in one folder, in order) and the mix: the delivered MP4 and poster."""
    options = RenderOptions(encoder=segment_encoder(timeline))
    return join_segments(
        timeline, segments, frames, probe_media(mix), out_path, options,
        warnings=[*warnings, *missing_glyph_warnings(timeline)], progress=progress,
        cancel=cancel, work_dir=work_dir, ffmpeg=ffmpeg,
    )  # fmt: skip
