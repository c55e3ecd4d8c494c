"""Ken Burns maths: presets, easing, bounds, and the sampled window's sub-pixel error."""

from __future__ import annotations

import math

import numpy as np
import pytest

from shared.render.graph import kenburns
from shared.render.graph.kenburns import KenBurnsPath, eased, exact_window, resolve, sampled_window
from shared.timeline import Easing, KenBurns, Motion, Viewport

FRAMES = 90
COVER_W, COVER_H = round(kenburns.PRESCALE * 1920), round(kenburns.PRESCALE * 1080)

# The reference benchmark's ten motions (bench/reference-timeline.json): zoom 1 <-> 1.25.
REFERENCE = [
    ((1.0, 0.5, 0.5), (1.25, 0.58, 0.44)),
    ((1.25, 0.43, 0.55), (1.0, 0.5, 0.5)),
    ((1.0, 0.5, 0.5), (1.25, 0.56, 0.57)),
    ((1.25, 0.42, 0.45), (1.0, 0.5, 0.5)),
    ((1.0, 0.5, 0.5), (1.25, 0.55, 0.43)),
    ((1.25, 0.44, 0.56), (1.0, 0.5, 0.5)),
    ((1.0, 0.5, 0.5), (1.25, 0.58, 0.54)),
    ((1.25, 0.45, 0.42), (1.0, 0.5, 0.5)),
    ((1.0, 0.5, 0.5), (1.25, 0.57, 0.55)),
    ((1.25, 0.42, 0.53), (1.0, 0.5, 0.5)),
]


def _path(a: tuple[float, float, float], b: tuple[float, float, float], easing: Easing):
    start = Viewport(zoom=a[0], x=a[1], y=a[2])
    end = Viewport(zoom=b[0], x=b[1], y=b[2])
    return KenBurnsPath(start, end, easing)


@pytest.mark.parametrize("easing", list(Easing))
def test_easing_is_monotone_from_0_to_1(easing: Easing) -> None:
    values = [eased(easing, i / 100) for i in range(101)]
    assert values[0] == pytest.approx(0) and values[-1] == pytest.approx(1)
    assert all(b >= a for a, b in zip(values, values[1:], strict=False))


def test_ease_in_out_is_slow_at_both_ends() -> None:
    step_start = eased(Easing.EASE_IN_OUT, 0.05) - eased(Easing.EASE_IN_OUT, 0.0)
    step_mid = eased(Easing.EASE_IN_OUT, 0.525) - eased(Easing.EASE_IN_OUT, 0.475)
    assert step_start < step_mid / 5
    assert eased(Easing.EASE_IN, 0.1) < 0.1 < eased(Easing.EASE_OUT, 0.1)


def test_zoom_in_preset_moves_from_whole_frame_to_focus() -> None:
    path = resolve(KenBurns(motion=Motion.ZOOM_IN, focus_x=0.7, focus_y=0.4, strength=0.5))
    assert path is not None
    assert path.start == Viewport(zoom=1.0, x=0.5, y=0.5)
    assert path.end.zoom == pytest.approx(1.25)
    assert (path.end.x, path.end.y) == pytest.approx((0.6, 0.4))  # 0.7 clamped to 1 - 0.5/1.25


def test_zoom_out_is_zoom_in_reversed() -> None:
    kb = KenBurns(motion=Motion.ZOOM_IN, focus_x=0.3, strength=0.8)
    zin = resolve(kb)
    zout = resolve(kb.model_copy(update={"motion": Motion.ZOOM_OUT}))
    assert zin is not None and zout is not None
    assert (zout.start, zout.end) == (zin.end, zin.start)


@pytest.mark.parametrize(
    ("motion", "axis", "sign"),
    [
        (Motion.PAN_LEFT, "x", -1),
        (Motion.PAN_RIGHT, "x", 1),
        (Motion.PAN_UP, "y", -1),
        (Motion.PAN_DOWN, "y", 1),
    ],
)
def test_pans_move_the_window_the_named_way(motion: Motion, axis: str, sign: int) -> None:
    path = resolve(KenBurns(motion=motion, strength=1.0))
    assert path is not None and path.start.zoom == path.end.zoom > 1
    delta = getattr(path.end, axis) - getattr(path.start, axis)
    assert delta * sign > 0.1


def test_still_presets_resolve_to_no_motion() -> None:
    assert resolve(KenBurns(motion=Motion.NONE)) is None
    assert resolve(KenBurns(motion=Motion.ZOOM_IN, strength=0)) is None


@pytest.mark.parametrize("motion", [m for m in Motion if m not in (Motion.NONE, Motion.CUSTOM)])
@pytest.mark.parametrize("easing", list(Easing))
def test_window_stays_inside_the_cover_frame_and_moves_monotonically(
    motion: Motion, easing: Easing
) -> None:
    path = resolve(KenBurns(motion=motion, focus_x=0.9, focus_y=0.05, strength=1, easing=easing))
    assert path is not None
    windows = [exact_window(path, n, FRAMES, COVER_W, COVER_H) for n in range(FRAMES)]
    for w in windows:
        assert w.x >= -1e-9 and w.y >= -1e-9
        assert w.x + w.w <= COVER_W + 1e-9 and w.y + w.h <= COVER_H + 1e-9
    views = [kenburns.viewport_at(path, n, FRAMES) for n in range(FRAMES)]
    for attr in ("zoom", "x", "y"):
        steps = np.diff([getattr(v, attr) for v in views])
        assert (steps >= -1e-12).all() or (steps <= 1e-12).all(), f"{attr} goes back and forth"


def _errors(path: KenBurnsPath, iw: int, ih: int, out_w: int, out_h: int) -> np.ndarray:
    """Window edge errors of the sampled vs exact window, in output pixels (as bench/jitter.py)."""
    rows = []
    for n in range(FRAMES):
        e = exact_window(path, n, FRAMES, iw, ih)
        s = sampled_window(path, n, FRAMES, iw, ih)
        sx, sy = out_w / e.w, out_h / e.h
        rows.append(
            [
                (s.x - e.x) * sx,
                (s.x + s.w - e.x - e.w) * sx,
                (s.y - e.y) * sy,
                (s.y + s.h - e.y - e.h) * sy,
            ]
        )
    return np.array(rows)


@pytest.mark.parametrize("easing", [Easing.LINEAR, Easing.EASE_IN_OUT])
def test_reference_motion_is_sampled_within_half_a_pixel_without_judder(easing: Easing) -> None:
    """The bench's targets, computed the way bench/jitter.py computes them, on each plane."""
    worst, judders = 0.0, []
    planes = [(COVER_W, COVER_H, 1920, 1080), (COVER_W // 2, COVER_H // 2, 960, 540)]
    for a, b in REFERENCE:
        path = _path(a, b, easing)
        for iw, ih, ow, oh in planes:
            err = _errors(path, iw, ih, ow, oh)
            if ow == 1920:  # luma: what the targets are stated for
                worst = max(worst, float(np.abs(err).max()))
                judders.append(float(np.sqrt(np.mean(np.diff(err, axis=0) ** 2))))
            else:  # chroma: in chroma pixels, half as fine as luma
                assert np.abs(err).max() < 1.0
    assert worst < 0.5
    assert float(np.mean(judders)) <= 0.25


def test_naive_integer_window_would_fail_the_same_check() -> None:
    """The check above can fail: a window rounded to whole output pixels misses the target."""
    path = _path(*REFERENCE[0], Easing.LINEAR)
    rows = []
    for n in range(FRAMES):
        e = exact_window(path, n, FRAMES, 1920, 1080)
        rows.append([math.floor(e.x) - e.x, math.floor(e.x + e.w) - e.x - e.w])
    assert np.abs(np.array(rows)).max() > 0.5


def test_expressions_use_the_eased_progress_and_clip_length() -> None:
    path = _path((1.0, 0.5, 0.5), (1.25, 0.6, 0.4), Easing.EASE_IN_OUT)
    z, x, y = kenburns.zoompan_exprs(path, 75)
    assert "cos(PI*on/74)" in z and "round(iw/ld(0))" in z
    assert x.startswith("(0.5+0.1*") and x.endswith("*iw-floor(iw/zoom)/2+0.5")
    assert y.startswith("(0.5+-0.1*")
