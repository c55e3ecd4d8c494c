"""A photo as the in-process renderer draws it: fitted to the output's aspect (crop, or shown
whole over a blurred fill of itself, as ``clip_graph.fit_chain`` does in FFmpeg), converted
once to limited-range BT.601 yuv420p (what FFmpeg's own conversion gives), and either sized
to the frame (a still) or kept larger for Ken Burns, with a padded border for ``resample``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from shared.errors import RenderFailed
from shared.render.draw import resample
from shared.render.draw.opencv import cv2
from shared.render.graph.clip_graph import BLUR_DOWNSCALE, BLUR_SIGMA, FILL_BRIGHTNESS
from shared.timeline import Fit

# The cover is kept this much larger than the largest zoom needs, so that the window's scale
# (source pixels per output pixel) stays above 1: at exactly 1, resize cannot start between
# pixels and every frame would take resample's slower exact path.
COVER_MARGIN = 1.0625
# eq=brightness shifts luma by brightness x 256 steps (of 219 in limited range); in RGB that is
# the same shift on every channel, scaled to full range.
_FILL_SHIFT = round(-FILL_BRIGHTNESS * 256 * 255 / 219)


@dataclass(frozen=True)
class Cover:
    """The Y, U and V planes of a fitted photo, each with ``resample.PAD`` of border."""

    planes: tuple[np.ndarray, np.ndarray, np.ndarray]
    width: int  # of the Y plane, without the border
    height: int


def _even(value: float) -> int:
    return max(2, int(value) // 2 * 2)


def _read_rgb(path: Path) -> np.ndarray:
    # Our own normalised file (ingest wrote it): an 8-bit RGB PPM or JPEG.
    if not path.is_file():
        raise RenderFailed(f"the prepared photo {path.name} is missing")
    pixels = cv2.imread(str(path), cv2.IMREAD_COLOR_RGB)
    if pixels is None:
        raise RenderFailed(f"the prepared photo {path.name} cannot be decoded")
    return pixels


def _resized(rgb: np.ndarray, width: int, height: int) -> np.ndarray:
    shrink = width * height <= rgb.shape[0] * rgb.shape[1]
    method = cv2.INTER_AREA if shrink else cv2.INTER_CUBIC
    return cv2.resize(rgb, (width, height), interpolation=method)


def centre_crop(rgb: np.ndarray, width: int, height: int) -> np.ndarray:
    """The largest centred part of ``rgb`` with the aspect of width x height (FFmpeg's crop),
    as a view: whatever reads it next reads only those pixels."""
    ih, iw = rgb.shape[:2]
    cw, ch = int(min(iw, ih * width / height)), int(min(ih, iw * height / width))
    x, y = (iw - cw) // 2, (ih - ch) // 2
    return rgb[y : y + ch, x : x + cw]


def _blur_fit(rgb: np.ndarray, width: int, height: int) -> np.ndarray:
    """The whole photo over a blurred, darkened fill of itself, width x height."""
    sw, sh = _even(width / BLUR_DOWNSCALE), _even(height / BLUR_DOWNSCALE)
    small = _resized(centre_crop(rgb, sw, sh), sw, sh)
    fill = cv2.GaussianBlur(small, (0, 0), BLUR_SIGMA)
    fill = cv2.subtract(fill, np.full_like(fill, _FILL_SHIFT))
    canvas = cv2.resize(fill, (width, height), interpolation=cv2.INTER_CUBIC)
    ih, iw = rgb.shape[:2]
    scale = min(width / iw, height / ih)
    fw, fh = min(width, _even(iw * scale)), min(height, _even(ih * scale))
    x, y = (width - fw) // 2, (height - fh) // 2
    canvas[y : y + fh, x : x + fw] = _resized(rgb, fw, fh)
    return canvas


def _fitted(
    rgb: np.ndarray, fit: Fit, width: int, height: int, aspect: tuple[int, int]
) -> np.ndarray:
    """``rgb`` fitted into width x height, a size of about the ``aspect`` of the output: the
    crop keeps that exact aspect (a cover's even rounding must not crop a column more)."""
    if fit is Fit.CROP:
        return _resized(centre_crop(rgb, *aspect), width, height)
    return _blur_fit(rgb, width, height)


def _i420(rgb: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    height, width = rgb.shape[:2]
    flat = cv2.cvtColor(np.ascontiguousarray(rgb), cv2.COLOR_RGB2YUV_I420).reshape(-1)
    luma, chroma = width * height, width * height // 4
    y = flat[:luma].reshape(height, width)
    u = flat[luma : luma + chroma].reshape(height // 2, width // 2)
    v = flat[luma + chroma :].reshape(height // 2, width // 2)
    return y, u, v


def cover_size(
    photo: tuple[int, int], fit: Fit, output: tuple[int, int], zoom: float
) -> tuple[int, int]:
    """The size a moving photo is kept at: enough for its largest zoom (with the margin), but no
    larger than the photo's own crop (a crop never upscales here; resample does, once)."""
    width, height = output
    want = zoom * COVER_MARGIN
    if fit is Fit.CROP:
        iw, ih = photo
        scale = min(want, min(iw / width, ih / height))
        want = max(scale, 2 / min(width, height))
    # Even sizes (for the chroma planes) as close to the frame's aspect as they come: any
    # difference squeezes the picture a little against the window maths.
    cover_w = max(2, 2 * round(width * want / 2))
    return cover_w, max(2, 2 * round(cover_w * height / width / 2))


def load_still(path: Path, fit: Fit, output: tuple[int, int]) -> bytes:
    """A photo that does not move: the finished yuv420p frame, drawn once."""
    y, u, v = _i420(_fitted(_read_rgb(path), fit, *output, output))
    return b"".join(p.tobytes() for p in (y, u, v))


def load_cover(path: Path, fit: Fit, output: tuple[int, int], zoom: float) -> Cover:
    """A moving photo, fitted at ``cover_size`` and padded for ``resample.sample_window``."""
    rgb = _read_rgb(path)
    width, height = cover_size((rgb.shape[1], rgb.shape[0]), fit, output, zoom)
    y, u, v = _i420(_fitted(rgb, fit, width, height, output))
    padded = (resample.pad_plane(y), resample.pad_plane(u), resample.pad_plane(v))
    return Cover(padded, width, height)
