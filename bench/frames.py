"""One digest of a video's decoded frames: equal digests, equal pictures (the benches compare
renders made by different workers, thread counts or machines with it)."""

from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path

import imageio_ffmpeg


def frames_md5(video: Path) -> str:
    """A digest of every decoded frame's MD5, in order, and the number of frames."""
    argv = [imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-i", str(video), "-map", "0:v",
            "-f", "framemd5", "-"]  # fmt: skip
    lines = subprocess.run(argv, capture_output=True, text=True, check=True).stdout.splitlines()
    frames = [line.rsplit(",", 1)[-1].strip() for line in lines if not line.startswith("#")]
    return hashlib.sha256("".join(frames).encode()).hexdigest()[:16] + f" ({len(frames)} frames)"
