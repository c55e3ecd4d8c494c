"""Clips in the project's format, made by the renderer itself: a one-clip timeline.

Ken Burns on a still and the normalising of a generated clip (fps, frame size, H.264 yuv420p)
are exactly what the renderer does for a photo clip or a video clip, so they go through
``render_timeline`` rather than a second FFmpeg command line.
"""

from __future__ import annotations

from pathlib import Path

from shared.render.media.media_resolver import MediaResolver
from shared.render.media.probe import probe_streams
from shared.render.service import RenderResult, render_timeline
from shared.timeline.model import (
    MIN_CLIP_MS,
    Aspect,
    Clip,
    KenBurns,
    OutputFormat,
    PhotoClip,
    Quality,
    Timeline,
    VideoClip,
)

FPS = (24, 25, 30)


def _render(
    clip: Clip, folder: Path, out: Path, aspect: Aspect, fps: int, quality: Quality
) -> RenderResult:
    if fps not in FPS:
        raise ValueError(f"fps {fps}: the project takes 24, 25 or 30")
    timeline = Timeline(
        name="AI clip", video=(clip,),
        format=OutputFormat(aspect=aspect, fps=fps, quality=quality),
    )  # fmt: skip
    return render_timeline(timeline, MediaResolver(base_dir=folder), out, work_dir=out.parent)


def ken_burns(
    still: Path, out: Path, *, duration_ms: int, aspect: Aspect, fps: int, quality: Quality
) -> RenderResult:
    """``still`` slowly zoomed in for ``duration_ms``, as an MP4 at ``out``."""
    clip = PhotoClip(source=still.name, duration_ms=duration_ms, kenburns=KenBurns())
    return _render(clip, still.parent, out, aspect, fps, quality)


def normalised(
    raw: Path, out: Path, *, max_ms: int, aspect: Aspect, fps: int, quality: Quality
) -> RenderResult:
    """``raw`` (any size and rate) as the project's format, at most ``max_ms`` long."""
    duration_ms = min(max_ms, probe_streams(raw).duration_ms)
    clip = VideoClip(source=raw.name, duration_ms=max(MIN_CLIP_MS, duration_ms))
    return _render(clip, raw.parent, out, aspect, fps, quality)
