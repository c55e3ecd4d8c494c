"""Pick the H.264 encoder by trying it, not by its name.

The settings are the encoder's own options; the compiler adds what every output shares
(H.264 High profile, yuv420p, the frame rate).

An FFmpeg build lists ``h264_nvenc`` whether or not this machine has an NVIDIA GPU with a working
driver (and data-centre GPUs such as the H100 have no NVENC at all), so the only reliable test is a
tiny real encode. The answer is cached per FFmpeg binary for the life of the process.
"""

from __future__ import annotations

import functools
import logging
import subprocess

import imageio_ffmpeg

from shared.render.graph.plan import EncoderSettings
from shared.timeline.model import Quality

logger = logging.getLogger(__name__)

PROBE_TIMEOUT_S = 30
_NVENC_CQ = {Quality.FINAL: "20", Quality.PREVIEW: "28"}
_X264 = {
    Quality.FINAL: ("-preset", "medium", "-crf", "20"),
    Quality.PREVIEW: ("-preset", "veryfast", "-crf", "28"),
}


def nvenc_settings(quality: Quality) -> EncoderSettings:
    return EncoderSettings(
        codec="h264_nvenc",
        args=(
            "-preset", "p4", "-rc", "vbr", "-cq", _NVENC_CQ[quality], "-b:v", "0",
            "-rc-lookahead", "16",
        ),
    )  # fmt: skip


def x264_settings(quality: Quality) -> EncoderSettings:
    return EncoderSettings(codec="libx264", args=_X264[quality])


@functools.lru_cache(maxsize=4)
def probe_nvenc(ffmpeg: str) -> str | None:
    """None when a short NVENC encode works here, else why it does not (for the log line)."""
    # 256x256: NVENC refuses frames below its minimum size, so a smaller probe would lie.
    argv = [
        ffmpeg, "-hide_banner", "-nostdin", "-loglevel", "error",
        "-f", "lavfi", "-i", "color=c=gray:s=256x256:r=30:d=0.2",
        "-c:v", "h264_nvenc", *nvenc_settings(Quality.PREVIEW).args, "-f", "null", "-",
    ]  # fmt: skip
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=PROBE_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        return f"a test encode with h264_nvenc did not finish in {PROBE_TIMEOUT_S} s"
    except OSError as exc:
        return f"FFmpeg could not be started ({exc})"
    if done.returncode == 0:
        return None
    lines = [line for line in done.stderr.strip().splitlines() if line.strip()]
    return "a test encode with h264_nvenc failed: " + (
        lines[0] if lines else f"exit {done.returncode}"
    )


def choose_encoder(quality: Quality, ffmpeg: str | None = None) -> EncoderSettings:
    """NVENC where a real encode works, else libx264; logs which and why."""
    ffmpeg = ffmpeg or imageio_ffmpeg.get_ffmpeg_exe()
    why_not = probe_nvenc(ffmpeg)
    if why_not is None:
        logger.info("encoder: h264_nvenc (a test encode on this machine's GPU worked)")
        return nvenc_settings(quality)
    logger.info("encoder: libx264 on the CPU, because %s", why_not)
    return x264_settings(quality)
