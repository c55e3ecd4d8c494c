#!/usr/bin/env python3
"""Make the example timelines' media into examples/media/generated/ (deterministic, offline).

Photos are drawn with numpy and Pillow: a landscape scene, a cafe counter, a portrait shot, a logo
PNG with alpha, a WebP, a HEIC (pillow-heif) and a JPEG stored sideways with EXIF orientation 6,
as phones write them. The voice is espeak-ng when it is installed, else a speech-like synthetic
signal; the music bed is synthesised. The tests import the drawing functions from here.

    python examples/make_media.py [--out DIR] [--force]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pillow_heif
from PIL import Image, ImageDraw, ImageFilter

# The voice and music makers are the pipeline's own offline last links.
from shared.music.brief import read_brief
from shared.music.composer import compose
from shared.voice.chain import espeak_voice
from shared.voice.spoken import write_voice_file

HERE = Path(__file__).resolve().parent
DEFAULT_OUT = HERE / "media" / "generated"
VOICE_TEXT = (
    "Fresh bread every morning at Harbor Bakery. "
    "Sourdough, croissants and coffee, made by hand since nineteen ninety. "
    "Visit us today on Market Street."
)
EXIF_ORIENTATION = 0x0112


def _noise(rng: np.random.Generator, h: int, w: int, octaves: int = 5) -> np.ndarray:
    """Smooth fractal value noise in 0..1: texture that JPEG and x264 must work to keep."""
    out = np.zeros((h, w), np.float32)
    amp, total = 1.0, 0.0
    for o in range(octaves):
        cells = 2 ** (o + 2)
        grid = rng.random((cells + 1, cells + 1)).astype(np.float32)
        small = Image.fromarray((grid * 255).astype(np.uint8)).resize((w, h), Image.BICUBIC)
        out += amp * np.asarray(small, np.float32) / 255
        total += amp
        amp *= 0.5
    return out / total


def _to_image(img: np.ndarray) -> Image.Image:
    return Image.fromarray(np.clip(img * 255, 0, 255).astype(np.uint8), "RGB")


def _street(rng: np.random.Generator, width: int, height: int) -> Image.Image:
    """Sky gradient, clouds, sun, textured hills, a building."""
    hue = rng.random(3)
    y = np.linspace(0, 1, height, dtype=np.float32)[:, None]
    x = np.linspace(0, 1, width, dtype=np.float32)[None, :]
    sky_top = np.array([0.25, 0.45, 0.85]) * (0.6 + 0.4 * hue)
    sky_low = np.array([0.95, 0.75, 0.55]) * (0.7 + 0.3 * hue[::-1])
    img = (sky_top * (1 - y[..., None]) + sky_low * y[..., None]) * np.ones((1, width, 1))
    clouds = _noise(rng, height, width)
    img += 0.25 * np.clip(clouds - 0.45, 0, 1)[..., None]
    sx, sy = rng.uniform(0.2, 0.8), rng.uniform(0.12, 0.3)
    sun = np.exp(-(((x - sx) * width) ** 2 + ((y - sy) * height) ** 2) / (0.004 * width * height))
    img += (sun * 0.8)[..., None] * np.array([1.0, 0.9, 0.6])
    texture = _noise(rng, height, width, octaves=7)
    for layer in range(3):
        base = 0.55 + 0.12 * layer + 0.05 * rng.random()
        ridge = base + 0.06 * np.sin(x * (6 + 4 * layer) * np.pi + rng.uniform(0, 6))
        ridge += 0.04 * (_noise(rng, 1, width, octaves=4)[0] - 0.5)
        mask = (y > ridge).astype(np.float32)
        colour = np.array([0.2 + 0.2 * hue[0], 0.35 + 0.15 * layer, 0.15]) * (1 - 0.2 * layer)
        shade = colour * (0.7 + 0.6 * texture[..., None])
        img = img * (1 - mask[..., None]) + shade * mask[..., None]
    photo = _to_image(img)
    draw = ImageDraw.Draw(photo)
    bx = int(width * rng.uniform(0.15, 0.55))
    bw, bh = int(width * 0.28), int(height * 0.32)
    by = int(height * 0.62) - bh
    draw.rectangle([bx, by, bx + bw, by + bh], fill=(200, 90 + int(80 * hue[1]), 60))
    for row in range(3):
        for col in range(4):
            wx = bx + bw * (0.08 + 0.23 * col)
            wy = by + bh * (0.12 + 0.28 * row)
            draw.rectangle([wx, wy, wx + bw * 0.14, wy + bh * 0.18], fill=(250, 230, 150))
    draw.polygon(
        [(bx - bw * 0.05, by), (bx + bw / 2, by - bh * 0.35), (bx + bw * 1.05, by)],
        fill=(90, 40, 30),
    )
    return photo


def _table(rng: np.random.Generator, width: int, height: int) -> Image.Image:
    """Seen from above: a wood-grain table, plates with pastries, a cup of coffee."""
    y = np.linspace(0, 1, height, dtype=np.float32)[:, None]
    warp = _noise(rng, height, width, octaves=6)
    grain = 0.5 + 0.5 * np.sin((y * 40 + 6 * warp) * np.pi)
    wood = np.array([0.45, 0.28, 0.15]) + rng.uniform(-0.08, 0.08, 3)
    img = wood * (0.7 + 0.35 * grain[..., None]) * np.ones((1, width, 1))
    photo = _to_image(img)
    draw = ImageDraw.Draw(photo)
    unit = min(width, height)
    for _ in range(int(rng.integers(3, 6))):
        cx, cy = rng.uniform(0.15, 0.85) * width, rng.uniform(0.2, 0.8) * height
        r = unit * rng.uniform(0.12, 0.2)
        draw.ellipse(
            [cx - r, cy - r, cx + r, cy + r],
            fill=(235, 232, 225),
            outline=(200, 195, 190),
            width=max(1, unit // 200),
        )
        for _ in range(int(rng.integers(2, 5))):
            px, py = cx + rng.uniform(-0.45, 0.45) * r, cy + rng.uniform(-0.45, 0.45) * r
            pr = r * rng.uniform(0.2, 0.35)
            tone = tuple(int(v) for v in rng.uniform([150, 80, 30], [210, 140, 70]))
            draw.ellipse([px - pr, py - pr * 0.7, px + pr, py + pr * 0.7], fill=tone)
            draw.arc(
                [px - pr * 0.8, py - pr * 0.5, px + pr * 0.8, py + pr * 0.5],
                200,
                340,
                fill=(240, 200, 140),
                width=max(1, unit // 150),
            )
    cx, cy, r = rng.uniform(0.2, 0.8) * width, rng.uniform(0.25, 0.75) * height, unit * 0.09
    draw.ellipse([cx - r * 1.3, cy - r * 1.3, cx + r * 1.3, cy + r * 1.3], fill=(245, 245, 240))
    draw.ellipse([cx - r, cy - r, cx + r, cy + r], fill=(70, 40, 20))
    draw.ellipse([cx - r * 0.5, cy - r * 0.4, cx + r * 0.3, cy + r * 0.1], fill=(190, 140, 90))
    return photo


def _shelves(rng: np.random.Generator, width: int, height: int) -> Image.Image:
    """An interior: warm light, shelves of jars and loaves, out-of-focus lamps."""
    y = np.linspace(0, 1, height, dtype=np.float32)[:, None]
    x = np.linspace(0, 1, width, dtype=np.float32)[None, :]
    light = np.exp(-((x - rng.uniform(0.3, 0.7)) ** 2) / 0.15 - (y - 0.2) ** 2 / 0.3)
    wall = np.array([0.35, 0.25, 0.18]) + 0.45 * light[..., None] * np.array([1.0, 0.8, 0.55])
    img = wall * (0.9 + 0.2 * _noise(rng, height, width, octaves=6)[..., None])
    photo = _to_image(img)
    draw = ImageDraw.Draw(photo)
    for shelf in range(3):
        top = height * (0.3 + 0.22 * shelf)
        draw.rectangle([0, top, width, top + height * 0.025], fill=(90, 55, 30))
        xpos = rng.uniform(0.0, 0.05) * width
        while xpos < width * 0.95:
            w = width * rng.uniform(0.04, 0.09)
            h = height * rng.uniform(0.08, 0.16)
            tone = tuple(int(v) for v in rng.uniform([60, 40, 20], [230, 200, 150]))
            draw.rounded_rectangle(
                [xpos, top - h, xpos + w, top], radius=w * 0.25, fill=tone, outline=(40, 30, 20)
            )
            draw.rectangle(
                [xpos + w * 0.15, top - h * 0.95, xpos + w * 0.3, top - h * 0.2],
                fill=tuple(min(255, c + 50) for c in tone),
            )
            xpos += w + width * rng.uniform(0.005, 0.03)
    lamps = Image.new("RGB", photo.size)
    ldraw = ImageDraw.Draw(lamps)
    for _ in range(12):
        lx, ly = rng.uniform(0, 1) * width, rng.uniform(0, 0.25) * height
        lr = min(width, height) * rng.uniform(0.02, 0.05)
        ldraw.ellipse([lx - lr, ly - lr, lx + lr, ly + lr], fill=(255, 210, 140))
    lamps = lamps.filter(ImageFilter.GaussianBlur(min(width, height) / 80))
    return Image.fromarray(np.minimum(255, np.asarray(photo, np.uint16) + lamps).astype(np.uint8))


_SCENES = (_street, _table, _shelves)


def draw_photo(seed: int, width: int, height: int) -> Image.Image:
    """A detailed photo-like picture (street, table from above, or shop interior, by seed), with
    sensor-like grain so that it compresses like a real photo."""
    rng = np.random.default_rng(seed)
    photo = _SCENES[seed % len(_SCENES)](rng, width, height)
    grain = rng.normal(0, 4, (height, width, 3))
    return Image.fromarray(np.clip(np.asarray(photo, np.float32) + grain, 0, 255).astype(np.uint8))


def draw_logo(size: int) -> Image.Image:
    """A round badge with a transparent background: the PNG-with-alpha case."""
    logo = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(logo)
    draw.ellipse(
        [4, 4, size - 4, size - 4],
        fill=(180, 40, 40, 255),
        outline=(255, 220, 120, 255),
        width=max(2, size // 40),
    )
    for k in range(12):
        angle = k * np.pi / 6
        cx, cy = size / 2 + size * 0.3 * np.cos(angle), size / 2 + size * 0.3 * np.sin(angle)
        r = size * 0.05
        draw.ellipse([cx - r, cy - r, cx + r, cy + r], fill=(255, 240, 200, 230))
    draw.rectangle([size * 0.35, size * 0.42, size * 0.65, size * 0.58], fill=(255, 255, 255, 255))
    return logo.filter(ImageFilter.SMOOTH)


def save_sideways_jpeg(photo: Image.Image, path: Path) -> None:
    """Store the photo rotated, as a phone sensor does, with EXIF orientation 6 to stand it up."""
    exif = Image.Exif()
    exif[EXIF_ORIENTATION] = 6
    photo.transpose(Image.Transpose.ROTATE_90).save(path, "JPEG", quality=90, exif=exif)


def make_all(out: Path, force: bool = False) -> list[Path]:
    """Write every example media file into ``out``; existing files are kept unless ``force``."""
    pillow_heif.register_heif_opener()
    out.mkdir(parents=True, exist_ok=True)
    jobs = {
        "storefront.jpg": lambda p: draw_photo(6, 2400, 1800).save(p, "JPEG", quality=90),
        "counter.jpg": lambda p: save_sideways_jpeg(draw_photo(2, 2000, 1500), p),
        "portrait.jpg": lambda p: draw_photo(3, 1200, 1800).save(p, "JPEG", quality=90),
        "pastries.webp": lambda p: draw_photo(4, 1600, 1200).save(p, "WEBP", quality=85),
        "interior.heic": lambda p: draw_photo(5, 1600, 1200).save(p, "HEIF", quality=80),
        "logo.png": lambda p: draw_logo(800).save(p, "PNG"),
        "music.wav": lambda p: compose(p, 24_000, read_brief("warm acoustic")),
        "voice.wav": lambda p: write_voice_file(espeak_voice(VOICE_TEXT), p),
    }
    written = []
    for name, make in jobs.items():
        path = out / name
        if force or not path.exists():
            make(path)
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--force", action="store_true", help="rewrite files that exist")
    args = parser.parse_args(argv)
    for path in make_all(args.out, args.force):
        print(f"  {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
