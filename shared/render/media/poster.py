"""The poster: one representative frame of the render, as a JPEG beside the MP4."""

from __future__ import annotations

import logging
import subprocess
import uuid
from pathlib import Path

import imageio_ffmpeg
import numpy as np
from PIL import Image

from shared import processes
from shared.errors import RenderFailed
from shared.render.draw.opencv import cv2
from shared.timeline.model import TextRole, Timeline

logger = logging.getLogger(__name__)

POSTER_TIMEOUT_S = 60
JPEG_QUALITY = 3  # FFmpeg's mjpeg -q:v scale, 2 (best) .. 31
POSTER_QUALITY = 92  # Pillow's scale, about FFmpeg's -q:v 3


def poster_time_ms(timeline: Timeline) -> int:
    """The middle of the title's time on screen (its brand shot), else a third of the way in."""
    for text in timeline.texts:
        if text.role is TextRole.TITLE:
            return (text.start_ms + text.end_ms) // 2
    return timeline.duration_ms // 3


def write_poster(
    video: Path, poster: Path, at_ms: int, *, ffmpeg: str | None = None
) -> tuple[int, int]:
    """Write the frame at ``at_ms`` of ``video`` to ``poster`` (JPEG); returns its size."""
    ffmpeg = ffmpeg or imageio_ffmpeg.get_ffmpeg_exe()
    partial = poster.with_name(f".{poster.stem}.partial-{uuid.uuid4().hex[:8]}.jpg")
    argv = [
        ffmpeg, "-hide_banner", "-nostdin", "-loglevel", "error", "-y",
        "-protocol_whitelist", "file", "-ss", f"{at_ms / 1000:.3f}", "-f", "mov",
        "-i", str(video), "-map", "0:v:0", "-frames:v", "1", "-q:v", str(JPEG_QUALITY),
        "-update", "1", "-f", "image2", str(partial),
    ]  # fmt: skip
    try:
        done = processes.run(argv, timeout_s=POSTER_TIMEOUT_S, text=True)
        if done.returncode != 0 or not partial.exists():
            raise RenderFailed(
                "poster: FFmpeg could not extract a frame", done.stderr[-2000:], done.returncode
            )
        with Image.open(partial, formats=["JPEG"]) as im:
            size = im.size
        partial.replace(poster)
    except subprocess.TimeoutExpired as exc:
        raise RenderFailed(f"poster: extracting a frame took over {POSTER_TIMEOUT_S} s") from exc
    finally:
        partial.unlink(missing_ok=True)
    logger.info("poster written", extra={"poster": poster.name, "at_ms": at_ms})
    return size


def write_poster_frame(frame: bytes, size: tuple[int, int], poster: Path) -> tuple[int, int]:
    """Write a raw yuv420p frame of ``size`` (one the renderer drew itself, so nothing needs
    decoding again) to ``poster`` (JPEG); returns its size."""
    width, height = size
    yuv = np.frombuffer(frame, np.uint8).reshape(height * 3 // 2, width)
    rgb = cv2.cvtColor(yuv, cv2.COLOR_YUV2RGB_I420)  # limited-range BT.601, as FFmpeg's
    partial = poster.with_name(f".{poster.stem}.partial-{uuid.uuid4().hex[:8]}.jpg")
    try:
        Image.fromarray(rgb).save(partial, "JPEG", quality=POSTER_QUALITY)
        partial.replace(poster)
    finally:
        partial.unlink(missing_ok=True)
    logger.info("poster written", extra={"poster": poster.name, "from": "drawn frame"})
    return width, height
