"""Speech as an engine made it (samples + word timings), and how it becomes the voice file."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import imageio_ffmpeg
import numpy as np

from shared import processes
from shared.errors import AppError
from shared.timeline.model import WordTiming
from shared.voice.word_timing import clipped

FILE_RATE = 48_000  # what the renderer mixes at
FFMPEG_TIMEOUT_S = 120


@dataclass(frozen=True)
class SpokenText:
    samples: np.ndarray  # int16, mono
    rate: int
    word_timings: tuple[WordTiming, ...]  # relative to the first sample

    @property
    def duration_ms(self) -> int:
        return len(self.samples) * 1000 // self.rate


def write_voice_file(
    spoken: SpokenText, path: Path, max_ms: int | None = None
) -> tuple[WordTiming, ...]:
    """``spoken`` as a 48 kHz mono WAV at ``path``, cut at ``max_ms``; the timings it keeps."""
    samples = spoken.samples
    if max_ms is not None:
        samples = samples[: max_ms * spoken.rate // 1000]
    argv = [
        imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-nostdin", "-y",
        "-f", "s16le", "-ar", str(spoken.rate), "-ac", "1", "-i", "pipe:0",
        "-ar", str(FILE_RATE), "-ac", "1", "-c:a", "pcm_s16le", str(path),
    ]  # fmt: skip
    # The samples as they are (no copy: a long voice is tens of MB), streamed to FFmpeg's stdin.
    pcm = np.ascontiguousarray(samples, dtype="<i2")
    done = processes.run(argv, input_bytes=pcm.data.cast("B"), timeout_s=FFMPEG_TIMEOUT_S)
    if done.returncode != 0:
        raise AppError(f"voice: FFmpeg could not write the voice file (exit {done.returncode})")
    heard_ms = len(samples) * 1000 // spoken.rate
    return clipped(spoken.word_timings, heard_ms)
