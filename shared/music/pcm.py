"""16-bit PCM WAV in blocks: the music is written (and read) a block at a time, so memory stays
flat however long the programme is."""

from __future__ import annotations

import wave
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np

RATE = 48_000
CHANNELS = 2


@contextmanager
def wav_writer(path: Path, rate: int = RATE, channels: int = CHANNELS) -> Iterator[wave.Wave_write]:
    with wave.open(str(path), "wb") as out:
        out.setnchannels(channels)
        out.setsampwidth(2)
        out.setframerate(rate)
        yield out


def write_block(out: wave.Wave_write, block: np.ndarray) -> None:
    """``block`` (frames x channels, floats in -1..1) appended as 16-bit PCM."""
    out.writeframesraw((np.clip(block, -1.0, 1.0) * 32767).astype("<i2").tobytes())


def read_block(source: wave.Wave_read, start: int, frames: int) -> np.ndarray:
    """``frames`` frames from ``start`` as floats, always stereo (a mono bed is duplicated)."""
    source.setpos(start)
    raw = np.frombuffer(source.readframes(frames), dtype="<i2").astype(np.float32) / 32768
    channels = source.getnchannels()
    block = raw.reshape(-1, channels)
    if channels == 1:
        return np.repeat(block, 2, axis=1)
    return block[:, :2]
