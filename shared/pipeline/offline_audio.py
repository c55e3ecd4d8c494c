"""The offline last links of the voice and music chains: they work on any CPU with no key.

Voice: espeak-ng when it is installed, else a speech-like synthetic signal (pitch-gliding pulses
through moving formants, in word-sized bursts); music: a procedural chord loop with bass and
hats. Both are deterministic, and each says what it is, so the job can warn the user.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import wave
from pathlib import Path

import imageio_ffmpeg
import numpy as np

RATE = 48_000
WORDS_PER_S = 2.5  # espeak-ng at 150 words a minute
ESPEAK_TIMEOUT_S = 120


def write_wav(path: Path, samples: np.ndarray, rate: int = RATE) -> Path:
    pcm = (np.clip(samples, -1, 1) * 32767).astype("<i2")
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1 if pcm.ndim == 1 else pcm.shape[1])
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(pcm.tobytes())
    return path


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


def make_voice(script: str, path: Path, max_s: float | None = None) -> str:
    """Speak ``script`` into ``path`` (48 kHz mono WAV); returns what made it."""
    espeak = shutil.which("espeak-ng")
    if espeak:
        with tempfile.TemporaryDirectory() as tmp:
            raw = Path(tmp) / "raw.wav"
            text = Path(tmp) / "script.txt"
            text.write_text(script, encoding="utf-8")  # a file: the script never becomes argv
            subprocess.run(
                [espeak, "-v", "en-us", "-s", "150", "-f", str(text), "-w", str(raw)],
                check=True, timeout=ESPEAK_TIMEOUT_S, capture_output=True,
            )  # fmt: skip
            argv = [imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-nostdin", "-y",
                    "-i", str(raw), "-ar", str(RATE), "-ac", "1"]  # fmt: skip
            if max_s is not None:
                argv += ["-t", f"{max_s:.3f}"]
            subprocess.run([*argv, str(path)], check=True, timeout=60, capture_output=True)
        return "espeak-ng"
    seconds = max(1.0, len(script.split()) / WORDS_PER_S)
    if max_s is not None:
        seconds = min(seconds, max_s)
    write_wav(path, synthetic_speech(seconds, seed=len(script)))
    return "a synthetic speech-like signal (espeak-ng is not installed)"


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
