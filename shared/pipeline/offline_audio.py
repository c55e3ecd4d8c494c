"""The offline last link of the music chain (it works on any CPU with no key), and WAV writing.

Music: a procedural chord loop with bass and hats, deterministic. (The voice's offline link is
espeak-ng: shared/voice.)
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


_CHORDS = (
    (261.63, 329.63, 392.0),
    (196.0, 246.94, 293.66),
    (220.0, 261.63, 329.63),
    (174.61, 220.0, 261.63),
)
_BASS = (65.41, 49.0, 55.0, 43.65)


def procedural_music(duration_s: float, rate: int = RATE, bar_s: float = 2.0) -> np.ndarray:
    """A stereo chord loop (C G Am F), one chord a bar, with bass and eighth-note hats."""
    n = max(1, int(duration_s * rate))
    t = np.arange(n) / rate
    rng = np.random.default_rng(7)
    out = np.zeros((n, 2))
    for k in range(int(np.ceil(duration_s / bar_s))):
        a, b = int(k * bar_s * rate), min(int((k + 1) * bar_s * rate), n)
        tt = t[a:b] - k * bar_s
        env = np.minimum(1, tt / 0.05) * np.exp(-tt * 0.6)
        pad = sum(
            gain * np.sin(2 * np.pi * f * h * tt + j)
            for j, f in enumerate(_CHORDS[k % 4])
            for h, gain in ((1, 1.0), (2, 0.35), (3, 0.15))
        )
        bass = np.sin(2 * np.pi * _BASS[k % 4] * tt) * np.exp(-tt * 1.5)
        out[a:b, 0] += 0.10 * pad * env + 0.35 * bass
        out[a:b, 1] += 0.09 * pad * env + 0.35 * bass
        for q in range(8):
            s = a + int(q * bar_s / 8 * rate)
            m = min(s + 2400, n)
            if s >= m:
                break
            hat = rng.normal(0, 1, m - s) * np.exp(-np.arange(m - s) / 300)
            out[s:m] += np.outer(hat, (0.04, 0.05))
    return np.asarray(0.5 * out / max(np.abs(out).max(), 1e-9))
