"""How smooth is our Ken Burns? The team's jitter.py measure, applied to our own window maths
against the exact sub-pixel window, in output pixels: the largest edge error and the RMS of its
frame-to-frame change (what the eye sees as judder). No video is rendered.

Two recipes of ours: the in-process drawer (what renders photos: ``resample.sampled_start``,
where the resize really starts each window, on the cover ``photo_cover`` keeps) and the FFmpeg
graph it falls back to next to video clips and xfade-only transitions
(``kenburns.sampled_window``: zoompan's integer arithmetic on our expressions)."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from shared.render.draw import photo_cover, resample
from shared.render.graph import kenburns
from shared.render.graph.compiler import output_size
from shared.render.graph.timing import clip_spans
from shared.timeline import Fit, PhotoClip, Timeline

Sampler = Callable[[kenburns.KenBurnsPath, int, int, int, int], kenburns.Window]


@dataclass(frozen=True)
class Smoothness:
    plane: str
    edge_error_px: float
    judder_px: float


def _errors(window: kenburns.Window, exact: kenburns.Window, out_w: int, out_h: int) -> list[float]:
    sx, sy = out_w / exact.w, out_h / exact.h  # output px per cover px
    return [
        (window.x - exact.x) * sx,
        (window.x + window.w - exact.x - exact.w) * sx,
        (window.y - exact.y) * sy,
        (window.y + window.h - exact.y - exact.h) * sy,
    ]


def _naive_window(
    path: kenburns.KenBurnsPath, n: int, frames: int, iw: int, ih: int
) -> kenburns.Window:
    # The naive recipe: zoompan's truncations on an 8000-px-wide yuvj420p frame (2-px chroma grid).
    v = kenburns.viewport_at(path, n, frames)
    w, h = int(iw / v.zoom), int(ih / v.zoom)
    x = min(max(v.x * iw - iw / v.zoom / 2, 0), max(iw - w, 0))
    y = min(max(v.y * ih - ih / v.zoom / 2, 0), max(ih - h, 0))
    return kenburns.Window(int(x) & ~1, int(y) & ~1, w, h)


def _drawn_window(out_w: int, out_h: int) -> Sampler:
    def sample(
        path: kenburns.KenBurnsPath, n: int, frames: int, iw: int, ih: int
    ) -> kenburns.Window:
        e = kenburns.exact_window(path, n, frames, iw, ih)
        x = resample.sampled_start(e.x, e.w / out_w)
        y = resample.sampled_start(e.y, e.h / out_h)
        return kenburns.Window(x, y, e.w, e.h)

    return sample


def measure(timeline: Timeline) -> list[Smoothness]:
    """Edge error and judder, in luma output pixels, of each plane of our recipes (and naive's)."""
    width, height = output_size(timeline.format)
    zoom = max(
        kenburns.max_zoom(kenburns.resolve(c.kenburns))
        for c in timeline.video
        if isinstance(c, PhotoClip)
    )
    # The drawer's cover for a photo large enough (the reference's 12 MP ones are).
    dw, dh = photo_cover.cover_size((10**5, 10**5), Fit.BLUR, (width, height), zoom)
    # The graph's cover frame as clip_graph sizes it (PRESCALE x the output, even).
    cw, ch = (max(2, int(kenburns.PRESCALE * v) // 2 * 2) for v in (width, height))
    naive_w = 8000
    cases: list[tuple[str, int, int, Sampler]] = [
        (f"ours, luma (cover {dw}x{dh})", dw, dh, _drawn_window(width, height)),
        (f"ours, chroma (cover {dw // 2}x{dh // 2})", dw // 2, dh // 2,
         _drawn_window(width // 2, height // 2)),
        (f"graph fallback, luma (cover {cw}x{ch})", cw, ch, kenburns.sampled_window),
        (f"graph fallback, chroma (cover {cw // 2}x{ch // 2})", cw // 2, ch // 2,
         kenburns.sampled_window),
        ("naive (scale=8000 + zoompan)", naive_w, naive_w * height // width, _naive_window),
    ]  # fmt: skip
    results = []
    for name, iw, ih, sample in cases:
        worst, judder = 0.0, []
        for clip, span in zip(timeline.video, clip_spans(timeline), strict=True):
            path = kenburns.resolve(clip.kenburns) if isinstance(clip, PhotoClip) else None
            if path is None:
                continue
            errs = np.array(
                [
                    _errors(
                        sample(path, n, span.frames, iw, ih),
                        kenburns.exact_window(path, n, span.frames, iw, ih),
                        width,
                        height,
                    )
                    for n in range(span.frames)
                ]
            )
            worst = max(worst, float(np.abs(errs).max()))
            judder.append(float(np.sqrt(np.mean(np.diff(errs, axis=0) ** 2))))
        results.append(Smoothness(name, worst, float(np.mean(judder)) if judder else math.nan))
    return results
