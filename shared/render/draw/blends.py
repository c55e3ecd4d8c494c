"""xfade's plane-wise transitions, drawn in numpy exactly as FFmpeg's xfade draws them.

xfade's progress runs from 1 (all of the outgoing clip ``a``) down towards 0 over the overlap:
``1 - i / n`` in single precision at overlap frame ``i`` of ``n``; each plane is handled at its
own size (the graph runs one gray xfade per plane), with C's truncating float-to-int casts.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from shared.timeline import TransitionType

WIPES = frozenset(
    {
        TransitionType.WIPE_LEFT,
        TransitionType.WIPE_RIGHT,
        TransitionType.WIPE_UP,
        TransitionType.WIPE_DOWN,
    }
)
SLIDES = frozenset(
    {
        TransitionType.SLIDE_LEFT,
        TransitionType.SLIDE_RIGHT,
        TransitionType.SLIDE_UP,
        TransitionType.SLIDE_DOWN,
    }
)


def progress(step: int, steps: int) -> np.float32:
    return np.float32(1) - np.float32(step) / np.float32(steps)


def _cut(size: int, factor: np.float32) -> int:
    return int(np.float32(size) * factor)  # C: (int)(size * progress), toward zero


def _wipe(kind: TransitionType, a: np.ndarray, b: np.ndarray, p: np.float32) -> None:
    height, width = a.shape
    rest = np.float32(1) - p
    if kind is TransitionType.WIPE_LEFT:  # columns right of the edge show b
        edge = _cut(width, p) + 1
        a[:, edge:] = b[:, edge:]
    elif kind is TransitionType.WIPE_RIGHT:
        edge = _cut(width, rest) + 1
        a[:, :edge] = b[:, :edge]
    elif kind is TransitionType.WIPE_UP:
        edge = _cut(height, p) + 1
        a[edge:] = b[edge:]
    else:  # WIPE_DOWN
        edge = _cut(height, rest) + 1
        a[:edge] = b[:edge]


def _slide(a: np.ndarray, b: np.ndarray, shift: int) -> None:
    """Along axis 0 of ``a``/``b`` (rows; columns via transposed views): output line y shows
    line y + shift of b where that exists, else the line of a it wraps to."""
    size = a.shape[0]
    if shift <= 0:  # a leaves towards the start, b comes in after it
        m = -shift
        kept = a[size - m :].copy()
        a[m:] = b[: size - m]
        a[:m] = kept
    else:  # a leaves towards the end, b comes in before it
        kept = a[:shift].copy()
        a[: size - shift] = b[shift:]
        a[size - shift :] = kept


def _slide_plane(kind: TransitionType, a: np.ndarray, b: np.ndarray, p: np.float32) -> None:
    height, width = a.shape
    if kind is TransitionType.SLIDE_LEFT:
        _slide(a.T, b.T, _cut(width, -p))
    elif kind is TransitionType.SLIDE_RIGHT:
        _slide(a.T, b.T, _cut(width, p))
    elif kind is TransitionType.SLIDE_UP:
        _slide(a, b, _cut(height, -p))
    else:  # SLIDE_DOWN
        _slide(a, b, _cut(height, p))


def blend_planes(
    kind: TransitionType,
    a: Sequence[np.ndarray],
    b: Sequence[np.ndarray],
    step: int,
    steps: int,
) -> None:
    """Overlap frame ``step`` of ``steps`` of a wipe or slide from planes ``a`` into planes
    ``b``, written into ``a``."""
    p = progress(step, steps)
    for plane_a, plane_b in zip(a, b, strict=True):
        if kind in WIPES:
            _wipe(kind, plane_a, plane_b, p)
        elif kind in SLIDES:
            _slide_plane(kind, plane_a, plane_b, p)
        else:
            raise ValueError(f"{kind.value} is not a wipe or a slide")
