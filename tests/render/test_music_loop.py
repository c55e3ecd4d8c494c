"""Music shorter than the video is looped block by block with crossfades (shared/render/
music_loop.py): the copies are the file itself, joined by triangular crossfades."""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np
import pytest

from shared.render.media.music_loop import BLOCK_FRAMES, loop_to_length

RATE = 48_000


def write(path: Path, samples: np.ndarray) -> Path:
    with wave.open(str(path), "wb") as out:
        out.setnchannels(samples.shape[1])
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(samples.astype("<i2").tobytes())
    return path


def read(path: Path) -> np.ndarray:
    with wave.open(str(path), "rb") as src:
        raw = src.readframes(src.getnframes())
        return np.frombuffer(raw, "<i2").reshape(-1, src.getnchannels())


@pytest.mark.parametrize("channels", [1, 2])
def test_copies_are_the_file_joined_by_crossfades(tmp_path: Path, channels: int) -> None:
    length = BLOCK_FRAMES + 5000  # more than one block per copy
    rng = np.random.default_rng(3)
    music = rng.integers(-20000, 20000, (length, channels)).astype(np.int16)
    src = write(tmp_path / "m.wav", music)
    fade = 200 * RATE // 1000
    total = 3 * length  # three full periods and a part of a fourth
    looped = read(loop_to_length(src, tmp_path / "out.wav", total, 200))
    assert looped.shape == (total, channels)
    period = length - fade
    assert np.array_equal(looped[:period], music[:period])  # the first copy, untouched
    ramp = (np.arange(fade) / fade)[:, None]
    for k in (1, 2, 3):
        start = k * period
        joined = music[-fade:] * (1 - ramp) + music[:fade] * ramp
        assert np.abs(looped[start : start + fade] - np.rint(joined)).max() <= 1
        body = looped[start + fade : min(start + period, total)]
        assert np.array_equal(body, music[fade : fade + len(body)])


def test_no_crossfade_butt_joins_the_copies(tmp_path: Path) -> None:
    music = np.arange(-500, 500, dtype=np.int16)[:, None]
    src = write(tmp_path / "m.wav", music)
    looped = read(loop_to_length(src, tmp_path / "out.wav", 2500, 0))
    assert np.array_equal(looped[:, 0], np.tile(music[:, 0], 3)[:2500])
