"""Ken Burns motion: preset resolution, easing, the exact per-frame window, and the zoompan
expressions that sample it with sub-pixel care.

Model: the photo is first fitted once to the output's aspect (the "cover frame"). At zoom ``z``
the visible window is (cover_w / z) x (cover_h / z), centred on (x, y) in 0..1 cover coordinates;
zoom and centre move from ``start`` to ``end`` along the eased progress of the clip's frames.

Why the expressions look odd: zoompan crops an integer window (w = int(iw / zoom), x = int(x))
before scaling it to the output, so a naive expression wobbles by up to a whole input pixel. The
cover frame is therefore prescaled to ``PRESCALE`` x the output, each plane (Y, U, V) gets its own
zoompan (no rounding to the chroma grid), the zoom is snapped so that both iw / zoom and ih / zoom
truncate to the integers nearest the exact window size where possible, and x / y are biased by
+0.5 so zoompan's truncation rounds to nearest.
``sampled_window`` re-creates that integer arithmetic so tests can measure the residual error.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from shared.timeline import Easing, KenBurns, Motion, Viewport

# Cover frame size / output size. zoompan's integer window moves in steps of zoom / PRESCALE
# output px; 2.25 keeps the reference motion's edge error < 0.5 px and judder < 0.25 px/frame
# (2 just misses the judder target) for a modest cost in downscaling taps.
PRESCALE = 2.25
ZOOM_PER_STRENGTH = 0.5  # strength 1 -> zoom 1.5 (strength 0.5 -> 1.25, the reference motion)
PAN_ZOOM_PER_STRENGTH = 0.3  # pans zoom in a little to have room to move


@dataclass(frozen=True)
class KenBurnsPath:
    start: Viewport
    end: Viewport
    easing: Easing


def _clamped(zoom: float, x: float, y: float) -> Viewport:
    """A viewport whose window stays inside the cover frame."""
    half = 0.5 / zoom
    return Viewport(zoom=zoom, x=min(max(x, half), 1 - half), y=min(max(y, half), 1 - half))


def resolve(kb: KenBurns) -> KenBurnsPath | None:
    """The start/end viewports a preset means; None for a still (no motion)."""
    if kb.motion is Motion.CUSTOM:
        assert kb.start is not None and kb.end is not None  # the model guarantees both
        start = _clamped(kb.start.zoom, kb.start.x, kb.start.y)
        end = _clamped(kb.end.zoom, kb.end.x, kb.end.y)
        return None if start == end else KenBurnsPath(start, end, kb.easing)
    if kb.motion is Motion.NONE or kb.strength == 0:
        return None
    fx, fy = kb.focus_x, kb.focus_y
    if kb.motion in (Motion.ZOOM_IN, Motion.ZOOM_OUT):
        wide = Viewport()
        close = _clamped(1 + ZOOM_PER_STRENGTH * kb.strength, fx, fy)
        if kb.motion is Motion.ZOOM_IN:
            return KenBurnsPath(wide, close, kb.easing)
        return KenBurnsPath(close, wide, kb.easing)
    zoom = 1 + PAN_ZOOM_PER_STRENGTH * kb.strength
    lo, hi = 0.5 / zoom, 1 - 0.5 / zoom
    centre = _clamped(zoom, fx, fy)
    ends = {
        Motion.PAN_LEFT: ((hi, centre.y), (lo, centre.y)),
        Motion.PAN_RIGHT: ((lo, centre.y), (hi, centre.y)),
        Motion.PAN_UP: ((centre.x, hi), (centre.x, lo)),
        Motion.PAN_DOWN: ((centre.x, lo), (centre.x, hi)),
    }[kb.motion]
    (x0, y0), (x1, y1) = ends
    return KenBurnsPath(Viewport(zoom=zoom, x=x0, y=y0), Viewport(zoom=zoom, x=x1, y=y1), kb.easing)


def eased(easing: Easing, t: float) -> float:
    """Progress 0..1 -> eased progress 0..1 (monotone; the expressions below mirror it)."""
    if easing is Easing.EASE_IN:
        return 1 - math.cos(math.pi / 2 * t)
    if easing is Easing.EASE_OUT:
        return math.sin(math.pi / 2 * t)
    if easing is Easing.EASE_IN_OUT:
        return (1 - math.cos(math.pi * t)) / 2
    return t


def _progress(frame: int, frames: int) -> float:
    return frame / (frames - 1) if frames > 1 else 0.0


@dataclass(frozen=True)
class Window:
    """A window on the cover frame, in cover pixels (floats: the exact, unrounded motion)."""

    x: float
    y: float
    w: float
    h: float


def viewport_at(path: KenBurnsPath, frame: int, frames: int) -> Viewport:
    p = eased(path.easing, _progress(frame, frames))
    a, b = path.start, path.end
    return Viewport.model_construct(
        zoom=a.zoom + (b.zoom - a.zoom) * p, x=a.x + (b.x - a.x) * p, y=a.y + (b.y - a.y) * p
    )


def exact_window(path: KenBurnsPath, frame: int, frames: int, iw: int, ih: int) -> Window:
    v = viewport_at(path, frame, frames)
    w, h = iw / v.zoom, ih / v.zoom
    return Window(v.x * iw - w / 2, v.y * ih - h / 2, w, h)


def sampled_window(path: KenBurnsPath, frame: int, frames: int, iw: int, ih: int) -> Window:
    """The window zoompan actually crops with ``zoompan_exprs`` (its integer arithmetic)."""
    v = viewport_at(path, frame, frames)
    zoom = min(max(_snapped_zoom(v.zoom, iw, ih), 1.0), 10.0)
    w, h = int(iw / zoom), int(ih / zoom)
    x = min(max(v.x * iw - math.floor(iw / zoom) / 2 + 0.5, 0.0), max(iw - w, 0))
    y = min(max(v.y * ih - math.floor(ih / zoom) / 2 + 0.5, 0.0), max(ih - h, 0))
    return Window(int(x), int(y), w, h)


def _snapped_zoom(zoom: float, iw: int, ih: int) -> float:
    """A zoom whose truncated window (int(iw / z), int(ih / z)) is the rounded exact window:
    the middle of the 1/zoom ranges that give round(iw / zoom) and round(ih / zoom)."""
    rw, rh = round(iw / zoom), round(ih / zoom)
    lo = max(rw / iw, rh / ih)
    hi = min((rw + 1) / iw, (rh + 1) / ih)
    return 2 / (lo + hi)


def _num(value: float) -> str:
    return f"{value:.6f}".rstrip("0").rstrip(".") or "0"


def progress_expr(easing: Easing, frames: int) -> str:
    """Eased progress as an FFmpeg expression of zoompan's output frame number ``on``."""
    t = f"on/{frames - 1}" if frames > 1 else "0"
    if easing is Easing.EASE_IN:
        return f"(1-cos(PI/2*{t}))"
    if easing is Easing.EASE_OUT:
        return f"sin(PI/2*{t})"
    if easing is Easing.EASE_IN_OUT:
        return f"((1-cos(PI*{t}))/2)"
    return f"({t})"


def _lerp(a: float, b: float, p: str) -> str:
    return _num(a) if a == b else f"({_num(a)}+{_num(b - a)}*{p})"


def zoompan_exprs(path: KenBurnsPath, frames: int) -> tuple[str, str, str]:
    """zoompan's z, x, y expressions for ``path`` (valid on any plane size)."""
    p = progress_expr(path.easing, frames)
    a, b = path.start, path.end
    zoom = _lerp(a.zoom, b.zoom, p)
    # _snapped_zoom, with st()/ld() registers holding round(iw / Z) and round(ih / Z).
    z = (
        f"st(0,{zoom});st(1,round(iw/ld(0)));st(2,round(ih/ld(0)));"
        "2/(max(ld(1)/iw,ld(2)/ih)+min((ld(1)+1)/iw,(ld(2)+1)/ih))"
    )
    x = f"{_lerp(a.x, b.x, p)}*iw-floor(iw/zoom)/2+0.5"
    y = f"{_lerp(a.y, b.y, p)}*ih-floor(ih/zoom)/2+0.5"
    return z, x, y


def max_zoom(path: KenBurnsPath | None) -> float:
    return 1.0 if path is None else max(path.start.zoom, path.end.zoom)
