"""A short music bed as samples, for tests that mix or render one: the offline composer's WAV,
read back (the composer writes files; only these few-second beds are held in memory)."""

from __future__ import annotations

import tempfile
import wave
from pathlib import Path

import numpy as np

from shared.music.brief import read_brief
from shared.music.composer import compose


def music_bed(seconds: float, prompt: str = "warm acoustic") -> np.ndarray:
    """Stereo float samples (frames x 2) at 48 kHz."""
    with tempfile.TemporaryDirectory() as folder:
        path = compose(Path(folder) / "bed.wav", round(seconds * 1000), read_brief(prompt))
        with wave.open(str(path)) as wav:
            pcm = np.frombuffer(wav.readframes(wav.getnframes()), dtype="<i2")
    return pcm.reshape(-1, 2).astype(np.float64) / 32768
