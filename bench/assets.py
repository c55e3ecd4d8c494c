"""Make the benchmark's reference media in bench/out/assets/ (never committed).

Copied from the team's bench/make_assets.py (same photos, grain, voice and music, so figures
compare with theirs): photos are real photographs shipped inside the scikit-image wheel (no
download), centre-cropped to 4:3 and upscaled to 4032x3024 = 12 MP with mild grain so they
compress like phone photos; the voice is espeak-ng when installed, else a speech-like signal;
the music is a numpy chord progression. Photos past the first ten (the 30-photo variant) are
the same pictures mirrored, with their own grain, so no two files are alike.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import imageio_ffmpeg
import numpy as np

from shared.pipeline.offline_audio import write_wav

PHOTO_W, PHOTO_H = 4032, 3024
PHOTOS = [
    "astronaut",
    "coffee",
    "chelsea",
    "rocket",
    "hubble_deep_field",
    "retina",
    "immunohistochemistry",
    "camera",
    "moon",
    "coins",
]
VOICE_TEXT = (
    "Mornings deserve better. Nordic Roast beans are picked by hand, "
    "roasted in small batches, and shipped within forty eight hours. "
    "Smooth, rich, and never bitter. From our family farm to your favourite mug. "
    "Try your first bag at half price. Order today at nordic roast dot example."
)
SR = 48000


def _cover_crop(w: int, h: int, aw: int, ah: int) -> tuple[int, int, int, int]:
    if w * ah >= h * aw:
        cw, ch = int(round(h * aw / ah)), h
    else:
        cw, ch = w, int(round(w * ah / aw))
    return (w - cw) // 2, (h - ch) // 2, cw, ch


def photo_path(folder: Path, i: int) -> Path:
    return folder / f"photo{i:02d}.jpg"


def make_photo(folder: Path, i: int) -> Path:
    """Photo number i (1-based); 11.. are mirrored copies of 1..10 with fresh grain."""
    out = photo_path(folder, i)
    if out.exists():
        return out
    import skimage.data as skd
    from PIL import Image

    a = getattr(skd, PHOTOS[(i - 1) % len(PHOTOS)])()
    if a.ndim == 2:
        a = np.stack([a] * 3, axis=-1)
    a = a[..., :3].astype(np.uint8)
    if i > len(PHOTOS):
        a = a[:, ::-1] if (i - 1) // len(PHOTOS) % 2 else a[::-1]
    h, w = a.shape[:2]
    x, y, cw, ch = _cover_crop(w, h, 4, 3)
    im = Image.fromarray(np.ascontiguousarray(a[y : y + ch, x : x + cw]))
    arr = np.asarray(im.resize((PHOTO_W, PHOTO_H), Image.Resampling.LANCZOS)).astype(np.float32)
    rng = np.random.default_rng(1000 + i)
    luma = rng.normal(0, 4.0, (PHOTO_H, PHOTO_W)).astype(np.float32)
    for c in range(3):
        arr[..., c] += luma + rng.normal(0, 1.5, (PHOTO_H, PHOTO_W)).astype(np.float32)
    Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8)).save(
        out, "JPEG", quality=90, subsampling=2, optimize=False
    )
    return out


def make_voiceover(folder: Path) -> str:
    out = folder / "voiceover.wav"
    if out.exists():
        return "kept"
    espeak = shutil.which("espeak-ng")
    if espeak:
        raw = folder / "voiceover_raw.wav"
        subprocess.run([espeak, "-v", "en-us", "-s", "150", "-w", str(raw), VOICE_TEXT], check=True)
        ff = imageio_ffmpeg.get_ffmpeg_exe()
        subprocess.run(
            [ff, "-y", "-v", "error", "-i", str(raw), "-ar", str(SR), "-ac", "1", str(out)],
            check=True,
        )
        raw.unlink()
        return "espeak-ng"
    # A speech-like signal: a formant-rich pulse train under a syllable envelope.
    t = np.arange(int(20.0 * SR)) / SR
    f0 = 120 + 20 * np.sin(2 * np.pi * 0.7 * t)
    phase = 2 * np.pi * np.cumsum(f0) / SR
    src = sum(np.sin(k * phase) / k for k in range(1, 25))
    syl = (np.sin(2 * np.pi * 4.0 * t) > -0.2).astype(float) * (np.sin(2 * np.pi * 0.25 * t) > -0.7)
    env = np.convolve(syl, np.ones(800) / 800, mode="same")
    write_wav(out, 0.3 * src / np.abs(src).max() * env)
    return "synthetic (install espeak-ng for a real voice)"


def make_music(folder: Path, dur: float = 120.0) -> None:
    out = folder / "music.wav"
    if out.exists():
        return
    n = int(dur * SR)
    t = np.arange(n) / SR
    chords = [
        [261.63, 329.63, 392.00],
        [196.00, 246.94, 293.66],
        [220.00, 261.63, 329.63],
        [174.61, 220.00, 261.63],
    ]  # C G Am F
    bass = [65.41, 49.00, 55.00, 43.65]
    seg = 2.0
    left, right = np.zeros(n), np.zeros(n)
    rng = np.random.default_rng(7)
    for k in range(int(np.ceil(dur / seg))):
        a, b = int(k * seg * SR), min(int((k + 1) * seg * SR), n)
        tt = t[a:b] - k * seg
        env = np.minimum(1, tt / 0.05) * np.exp(-tt * 0.6)
        pad = np.zeros(b - a)
        for j, f in enumerate(chords[k % 4]):
            for h, g in ((1, 1.0), (2, 0.35), (3, 0.15)):
                pad += g * np.sin(2 * np.pi * f * h * tt + j)
        bs = np.sin(2 * np.pi * bass[k % 4] * tt) * np.exp(-tt * 1.5)
        left[a:b] += 0.10 * pad * env + 0.35 * bs
        right[a:b] += 0.10 * pad * env * 0.9 + 0.35 * bs
        for q in range(8):  # hats on eighths
            s = a + int(q * seg / 8 * SR)
            m = min(s + 2400, n)
            hat = rng.normal(0, 1, m - s) * np.exp(-np.arange(m - s) / 300)
            left[s:m] += 0.04 * hat
            right[s:m] += 0.05 * hat
    st = np.stack([left, right], axis=1)
    st = 0.5 * st / np.abs(st).max()
    fade = int(0.02 * SR)
    st[:fade] *= np.linspace(0, 1, fade)[:, None]
    write_wav(out, st)


def make_assets(folder: Path, photos: int) -> str:
    """Every asset the benchmark needs; existing files are kept. Returns the voice's origin."""
    folder.mkdir(parents=True, exist_ok=True)
    try:
        import skimage  # noqa: F401
    except ImportError as exc:
        raise SystemExit(
            "the benchmark's photos come from scikit-image: pip install -e '.[bench]'"
        ) from exc
    for i in range(1, photos + 1):
        make_photo(folder, i)
    make_music(folder)
    return make_voiceover(folder)
