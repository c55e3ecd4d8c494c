"""Test signals only. A speech-like synthetic signal, for render tests that need a voice-shaped
input (loud in word-sized bursts, silent between) without a TTS engine. It is not a voice and the
product never uses it: the product's offline voice is espeak-ng (shared/voice)."""

from __future__ import annotations

import numpy as np

RATE = 48_000


def synthetic_speech(duration_s: float, seed: int = 3, rate: int = RATE) -> np.ndarray:
    """Loud where it 'speaks', silent between words: enough for ducking and captions timing."""
    rng = np.random.default_rng(seed)
    n = max(1, int(duration_s * rate))
    t = np.arange(n) / rate
    f0 = 125 + 25 * np.sin(2 * np.pi * 0.6 * t) + 10 * np.sin(2 * np.pi * 2.3 * t)
    phase = 2 * np.pi * np.cumsum(f0) / rate
    source = sum(np.sin(k * phase) / k for k in range(1, 24))
    voiced = np.zeros(n)
    pos = int(0.1 * rate)
    while pos < n:
        for _ in range(rng.integers(1, 4)):
            length = int(rng.uniform(0.12, 0.24) * rate)
            voiced[pos : pos + length] = 1.0
            pos += length + int(0.03 * rate)
        pos += int(rng.uniform(0.08, 0.35) * rate)
    envelope = np.convolve(voiced, np.hanning(int(0.03 * rate)), mode="same")
    envelope /= max(envelope.max(), 1e-9)
    spectrum = np.fft.rfft(source * envelope)
    freqs = np.fft.rfftfreq(n, 1 / rate)
    formants = sum(
        np.exp(-((freqs - f) ** 2) / (2 * bw**2))
        for f, bw in ((700, 130), (1200, 160), (2600, 250))
    )
    voice = np.fft.irfft(spectrum * (0.05 + formants), n)
    return np.asarray(0.5 * voice / max(np.abs(voice).max(), 1e-9))
