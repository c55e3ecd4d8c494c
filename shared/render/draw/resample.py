"""Sample a sub-pixel window of a picture plane to an output size: the pixel core of Ken Burns.

The exact mapping (pixel centres, window edges in source pixels): output pixel j shows source
position ``x + (j + 0.5) * s - 0.5`` with ``s = w / out_w`` (and the same in y), sampled
bilinearly.

Why not one call: ``cv2.warpAffine`` does exactly that but costs about 1.6 ns a pixel (it
computes a coordinate per pixel). ``cv2.resize`` is separable and about 3x cheaper, and with an
explicit scale factor (``fx``, not a destination size) its scale is exact; what it cannot do is
start between two pixels. So the window is resized from an integer origin ``a`` and the output
cropped ``k`` pixels in, choosing the pair (a, k) for which ``a + k * s`` is nearest to ``x``:
for most scales some k below ``MAX_SHIFT`` lands within ``TOLERANCE`` of a source pixel. When
none does (a scale near a simple fraction, such as exactly 1), the frame falls back to
warpAffine, which is exact to 1/32 pixel.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from shared.render.draw.opencv import cv2

MAX_SHIFT = 96  # output pixels the resize may compute beyond the window on each axis
TOLERANCE = 0.1  # source pixels: how far the resize's origin may sit from the exact one
PAD = 8  # replicated border around a padded source plane, so origins may start left of it


@dataclass(frozen=True)
class AxisFit:
    """How one axis is sampled: resize from integer origin ``origin`` (in the padded plane),
    crop ``shift`` output pixels; ``error`` is the origin's distance from the exact one."""

    origin: int
    shift: int
    error: float


def fit_axis(start: float, scale: float, pad: int = PAD) -> AxisFit:
    """The best (origin, shift) for a window starting at ``start`` (unpadded source pixels)
    sampled at ``scale`` source pixels per output pixel."""
    best = AxisFit(0, 0, math.inf)
    for shift in range(MAX_SHIFT + 1):
        exact = start + pad - shift * scale
        if exact < -0.5:
            break  # origins only move left as the shift grows
        origin = round(exact)
        error = abs(exact - origin)
        if error < best.error:
            best = AxisFit(origin, shift, error)
            if error < TOLERANCE / 4:
                break
    return best


def sampled_start(start: float, scale: float, pad: int = PAD) -> float:
    """Where ``sample_window`` really starts a window that should start at ``start``: the fast
    path's origin, or ``start`` itself on the exact path (to warpAffine's 1/32 px). For
    measuring smoothness (bench/smoothness.py) without rendering."""
    fit = fit_axis(start, scale, pad)
    return fit.origin + fit.shift * scale - pad if fit.error <= TOLERANCE else start


def pad_plane(plane: np.ndarray, pad: int = PAD) -> np.ndarray:
    """``plane`` with a replicated border of ``pad`` pixels, as ``sample_window`` expects."""
    return cv2.copyMakeBorder(plane, pad, pad, pad, pad, cv2.BORDER_REPLICATE)


def sample_window(
    padded: np.ndarray, x: float, y: float, w: float, h: float, out: np.ndarray, pad: int = PAD
) -> bool:
    """Write the window (x, y, w, h) of the plane that ``padded`` holds (with a border of ``pad``
    pixels, from ``pad_plane``) into ``out``, bilinear, its position exact to ``TOLERANCE``.

    Returns whether the fast path (resize) was taken, for tests and benchmarks.
    """
    out_h, out_w = out.shape
    sx, sy = w / out_w, h / out_h
    fx, fy = fit_axis(x, sx, pad), fit_axis(y, sy, pad)
    if fx.error <= TOLERANCE and fy.error <= TOLERANCE:
        width = math.ceil((fx.shift + out_w + 1) * sx) + 2
        height = math.ceil((fy.shift + out_h + 1) * sy) + 2
        rows, cols = padded.shape
        if fx.origin + width <= cols and fy.origin + height <= rows:
            roi = padded[fy.origin : fy.origin + height, fx.origin : fx.origin + width]
            big = cv2.resize(roi, None, fx=1 / sx, fy=1 / sy, interpolation=cv2.INTER_LINEAR)
            np.copyto(out, big[fy.shift : fy.shift + out_h, fx.shift : fx.shift + out_w])
            return True
    matrix = np.array(
        [[sx, 0.0, x + pad + 0.5 * sx - 0.5], [0.0, sy, y + pad + 0.5 * sy - 0.5]], np.float64
    )
    cv2.warpAffine(
        padded, matrix, (out_w, out_h), dst=out,
        flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP, borderMode=cv2.BORDER_REPLICATE,
    )  # fmt: skip
    return False
