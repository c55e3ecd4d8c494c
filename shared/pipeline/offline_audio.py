"""WAV writing for samples held in memory (short test signals, demo media).

The music chain's offline last link is shared/music/composer.py, which writes in blocks; the
voice's is espeak-ng (shared/voice).
"""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np

RATE = 48_000


def write_wav(path: Path, samples: np.ndarray, rate: int = RATE) -> Path:
    pcm = (np.clip(samples, -1, 1) * 32767).astype("<i2")
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1 if pcm.ndim == 1 else pcm.shape[1])
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(pcm.tobytes())
    return path
