"""The in-process Ken Burns sampler: the fast resize path lands where the exact warp does, and a
moving window moves the picture smoothly, to a fraction of a pixel."""

from __future__ import annotations

import math
import random

import cv2
import numpy as np
import pytest

from shared.render.draw.resample import PAD, TOLERANCE, fit_axis, pad_plane, sample_window


def _exact(plane: np.ndarray, x: float, y: float, w: float, h: float, size: tuple[int, int]):
    """The reference: one warpAffine with the exact mapping (1/32 px precision)."""
    out_w, out_h = size
    sx, sy = w / out_w, h / out_h
    matrix = np.array([[sx, 0, x + 0.5 * sx - 0.5], [0, sy, y + 0.5 * sy - 0.5]])
    flags = cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP
    return cv2.warpAffine(plane, matrix, size, flags=flags, borderMode=cv2.BORDER_REPLICATE)


@pytest.fixture(scope="module")
def picture() -> np.ndarray:
    rng = np.random.default_rng(7)
    noise = (rng.random((400, 700)) * 255).astype(np.uint8)
    return cv2.GaussianBlur(noise, (0, 0), 1.5)  # detail at every scale, no flat areas


def test_fit_axis_finds_an_origin_within_tolerance_for_almost_every_scale() -> None:
    rng = random.Random(3)
    misses = 0
    for _ in range(5000):
        scale, start = rng.uniform(0.6, 1.6), rng.uniform(0, 300)
        fit = fit_axis(start, scale)
        exact = fit.origin + fit.shift * scale - PAD
        assert abs(exact - start) == pytest.approx(fit.error, abs=1e-9)
        misses += fit.error > TOLERANCE
    assert misses / 5000 < 0.02


def test_a_scale_of_exactly_one_cannot_shift_and_says_so() -> None:
    assert fit_axis(10.5, 1.0).error == pytest.approx(0.5)


@pytest.mark.parametrize("seed", range(6))
def test_fast_path_matches_the_exact_warp(picture: np.ndarray, seed: int) -> None:
    rng = random.Random(seed)
    padded = pad_plane(picture)
    out = np.empty((120, 200), np.uint8)
    fast = 0
    for _ in range(40):
        w = rng.uniform(130, 400)
        h = w * 120 / 200 * rng.uniform(0.98, 1.02)
        x, y = rng.uniform(0, 700 - w), rng.uniform(0, 400 - h)
        fast += sample_window(padded, x, y, w, h, out)
        reference = _exact(picture, x, y, w, h, (200, 120))
        diff = np.abs(out.astype(int) - reference.astype(int))
        # The resize's origin may sit TOLERANCE source px off: a gradient of g levels a pixel
        # moves a sample by at most about g * TOLERANCE levels.
        gradient = np.abs(np.diff(picture.astype(int), axis=1)).max()
        assert diff.max() <= math.ceil(gradient * TOLERANCE) + 2
        assert diff.mean() < 1.0
    assert fast >= 30  # the exact fallback is the exception


def test_fallback_is_exact_too(picture: np.ndarray) -> None:
    out = np.empty((100, 150), np.uint8)
    took_fast = sample_window(pad_plane(picture), 20.5, 10.5, 150.0, 100.0, out)  # scale 1
    assert not took_fast
    assert np.array_equal(out, _exact(picture, 20.5, 10.5, 150.0, 100.0, (150, 100)))


def _edge_position(row: np.ndarray) -> float:
    """Where a dark-to-light step sits in a sampled row, to a fraction of a pixel."""
    levels = row.astype(float)
    lo, hi = levels[:5].mean(), levels[-5:].mean()
    return float(((levels - lo) / (hi - lo)).clip(0, 1).sum())


def test_a_moving_window_moves_a_sharp_edge_smoothly() -> None:
    """A pan of 0.37 source px a frame over a sharp edge: the edge must move by the same step
    each frame (what the bench calls judder), at any shift the fast path picks."""
    plane = np.full((60, 400), 40, np.uint8)
    plane[:, 200:] = 220
    padded = pad_plane(plane)
    out = np.empty((40, 160), np.uint8)
    scale = 1.13  # a zoomed-in window: 1.13 source px per output px
    positions, expected = [], []
    for n in range(60):
        x = 100 + 0.37 * n
        sample_window(padded, x, 5.0, 160 * scale, 40 * scale, out)
        positions.append(160 - _edge_position(out[20]))
        expected.append((200 - x) / scale)  # the edge's exact place in output px
    error = np.array(positions) - np.array(expected)
    error -= error.mean()  # a constant offset is the edge model's, not motion
    assert np.abs(error).max() < TOLERANCE  # output px: well under the bench's 0.5
    judder = float(np.sqrt(np.mean(np.diff(error) ** 2)))
    assert judder < 0.1  # the bench's target is 0.25 px a frame
    # And the check can fail: a window that snaps to whole source pixels judders.
    snapped = np.array([(200 - round(100 + 0.37 * n)) / scale for n in range(60)])
    snapped_error = snapped - np.array(expected)
    assert float(np.sqrt(np.mean(np.diff(snapped_error - snapped_error.mean()) ** 2))) > 0.25
