"""The Python renderer's values for the web model's tests: timing, frame composition, Ken Burns,
photo fitting, safe areas, output sizes and which documents the model accepts.

The web editor re-implements these (web/src/model/) to preview exactly what the renderer draws;
tests/web/*.test.mjs compare it with tests/web/fixtures/python_reference.json, and
tests/unit/test_web_reference.py fails when that file is stale. Rewrite it with
``.venv/bin/python -m tests.web.make_fixtures``.
"""

from __future__ import annotations

import copy
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np

from shared.errors import InvalidRequest
from shared.render.draw import photo_cover
from shared.render.draw.frame_plan import DrawnChunk, DrawnClip, frame_at
from shared.render.graph import compiler, kenburns, timing
from shared.render.graph.clip_graph import BLUR_DOWNSCALE
from shared.render.text.text_layout import safe_area
from shared.timeline import Aspect, Easing, Fit, KenBurns, OutputFormat, Quality, Timeline
from shared.timeline.validate import parse_timeline

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = Path(__file__).resolve().parent / "fixtures" / "python_reference.json"

_CLIP = {"kind": "photo", "source": "a.jpg"}


def _timelines() -> list[dict[str, Any]]:
    """Timelines whose rounding differs: frame rates, odd lengths, long and short transitions."""
    docs = [json.loads(p.read_text()) for p in sorted((ROOT / "examples").glob("ad-*.json"))]
    clip = _CLIP
    docs += [
        {"video": [{**clip, "duration_ms": 1000}]},
        {
            "format": {"fps": 24},
            "video": [
                {**clip, "duration_ms": 1234, "transition": {"type": "fade", "duration_ms": 333}},
                {**clip, "duration_ms": 777, "transition": {"type": "wipeleft", "duration_ms": 17}},
                {**clip, "duration_ms": 2501},
            ],
        },
        {
            "format": {"fps": 25},
            "video": [
                {**clip, "duration_ms": 1020, "transition": {"type": "cut", "duration_ms": 0}},
                {**clip, "duration_ms": 990, "transition": {"type": "slideup", "duration_ms": 990}},
                {**clip, "duration_ms": 1990, "transition": {"type": "dissolve", "duration_ms": 1}},
                {**clip, "duration_ms": 500, "transition": {"type": "fade", "duration_ms": 400}},
            ],
        },
        {
            "video": [
                {
                    **clip,
                    "duration_ms": 601,
                    "transition": {"type": "fadeblack", "duration_ms": 16},
                },
                {**clip, "duration_ms": 599, "transition": {"type": "fade", "duration_ms": 583}},
                {**clip, "duration_ms": 1583},
            ],
        },
    ]
    return docs


def _frame_parts(tl: Timeline) -> list[dict[str, Any]]:
    """frame_at on the frames around every clip boundary (where transitions and rounding act)."""
    spans = timing.clip_spans(tl)
    clips = tuple(
        DrawnClip(s.index, "unused", Fit.BLUR, None, s) for s in spans
    )  # frame_at reads only the spans
    chunk = DrawnChunk(0, timing.total_frames(tl), (2, 2), clips, ())
    edges = {0, chunk.last - 1} | {s.start for s in spans} | {s.end for s in spans}
    near = sorted({f + d for f in edges for d in range(-2, 3)} & set(range(chunk.last)))
    out = []
    for frame in near:
        parts = frame_at(chunk, frame)
        inc = parts.incoming
        out.append(
            {
                "frame": frame,
                "index": parts.base.index,
                "incoming": None if inc is None else inc.index,
                "step": parts.step,
                "steps": parts.steps,
            }
        )
    return out


def _timing() -> dict[str, Any]:
    ms_to_frame = [
        {"ms": ms, "fps": fps, "frame": timing.ms_to_frame(ms, fps)}
        for fps in (24, 25, 30)
        for ms in (0, 1, 16, 17, 20, 21, 33, 34, 41, 42, 500, 999, 1000, 1234, 59_999, 10_800_000)
    ]
    cases = []
    for doc in _timelines():
        tl = parse_timeline(doc)
        cases.append(
            {
                "timeline": doc,
                "duration_ms": tl.duration_ms,
                "total_frames": timing.total_frames(tl),
                "spans": [
                    {
                        "index": s.index,
                        "start_frame": s.start,
                        "end_frame": s.end,
                        "frames": s.frames,
                        "overlap_in": s.overlap_in,
                        "transition_in": s.transition_in.value,
                    }
                    for s in timing.clip_spans(tl)
                ],
                "frame_parts": _frame_parts(tl),
            }
        )
    return {"ms_to_frame": ms_to_frame, "timelines": cases}


def _kenburns() -> dict[str, Any]:
    motions: list[dict[str, Any]] = [
        {"motion": m, "strength": s, "focus_x": fx, "focus_y": fy, "easing": e}
        for m in ("zoom_in", "zoom_out", "pan_left", "pan_right", "pan_up", "pan_down")
        for s, fx, fy, e in (
            (0.5, 0.5, 0.5, "ease_in_out"),
            (1.0, 0.0, 1.0, "linear"),
            (0.15, 0.9, 0.1, "ease_in"),
            (0.7, 0.3, 0.65, "ease_out"),
        )
    ]
    motions += [
        {"motion": "none"},
        {"motion": "zoom_in", "strength": 0.0},
        {
            "motion": "custom",
            "start": {"zoom": 1.0, "x": 0.5, "y": 0.5},
            "end": {"zoom": 1.3, "x": 0.35, "y": 0.6},
        },
        {  # both ends clamped into the frame
            "motion": "custom",
            "easing": "linear",
            "start": {"zoom": 2.0, "x": 0.0, "y": 1.0},
            "end": {"zoom": 4.0, "x": 1.0, "y": 0.0},
        },
        {  # equal once clamped: a still
            "motion": "custom",
            "start": {"zoom": 2.0, "x": 0.0, "y": 0.5},
            "end": {"zoom": 2.0, "x": 0.2, "y": 0.5},
        },
    ]
    cases = []
    for fields in motions:
        kb = KenBurns.model_validate(fields)
        path = kenburns.resolve(kb)
        case: dict[str, Any] = {"kenburns": kb.model_dump(mode="json"), "path": None}
        if path is not None:
            case["path"] = {
                "start": path.start.model_dump(),
                "end": path.end.model_dump(),
                "easing": path.easing.value,
            }
            samples = []
            for frames in (1, 2, 90, 151):
                for frame in sorted(
                    {0, 1, frames // 3, frames // 2, frames - 1} & set(range(frames))
                ):
                    v = kenburns.viewport_at(path, frame, frames)
                    w = kenburns.exact_window(path, frame, frames, 4320, 2430)
                    samples.append(
                        {
                            "frame": frame,
                            "frames": frames,
                            "viewport": {"zoom": v.zoom, "x": v.x, "y": v.y},
                            "window": {"x": w.x, "y": w.y, "w": w.w, "h": w.h},
                        }
                    )
            case["samples"] = samples
        cases.append(case)
    easing = [
        {"easing": e.value, "t": t, "value": kenburns.eased(e, t)}
        for e in Easing
        for t in (0.0, 0.1, 0.25, 1 / 3, 0.5, 0.9, 1.0)
    ]
    return {"cases": cases, "eased": easing}


def _crop_rect(iw: int, ih: int, width: int, height: int) -> dict[str, int]:
    """photo_cover.centre_crop's rectangle, read off zero-copy index planes of an iw x ih photo."""
    cols = np.lib.stride_tricks.as_strided(np.arange(iw), shape=(ih, iw), strides=(0, 8))
    rows = np.lib.stride_tricks.as_strided(np.arange(ih), shape=(ih, iw), strides=(8, 0))
    x_view = photo_cover.centre_crop(cols, width, height)
    y_view = photo_cover.centre_crop(rows, width, height)
    return {
        "x": int(x_view[0, 0]),
        "y": int(y_view[0, 0]),
        "w": x_view.shape[1],
        "h": x_view.shape[0],
    }


def _blur_dest(iw: int, ih: int, width: int, height: int) -> dict[str, int]:
    """Where photo_cover's blur fit put the whole photo: a white photo over its darkened fill."""
    canvas = photo_cover._blur_fit(np.full((ih, iw, 3), 255, np.uint8), width, height)
    ys, xs = np.nonzero((canvas == 255).all(axis=2))
    return {
        "x": int(xs.min()),
        "y": int(ys.min()),
        "w": int(np.ptp(xs)) + 1,
        "h": int(np.ptp(ys)) + 1,
    }


def _cover() -> dict[str, Any]:
    photos = [(4000, 3000), (3024, 4032), (1080, 1080), (640, 480), (5000, 1000), (333, 777)]
    outputs = [(1920, 1080), (1080, 1920), (1080, 1080), (640, 360), (360, 640), (360, 360)]
    sizes = [
        {
            "photo": list(photo),
            "fit": fit.value,
            "output": list(out),
            "zoom": zoom,
            "cover": list(photo_cover.cover_size(photo, fit, out, zoom)),
        }
        for photo in photos
        for out in outputs
        for fit in Fit
        for zoom in (1.0, 1.25, 1.5, 4.0)
    ]
    crops = [
        {"photo": list(photo), "output": list(out), "crop": _crop_rect(*photo, *out)}
        for photo in photos
        for out in outputs
    ]
    blurs = []
    for photo in photos:
        for out in [(640, 360), (360, 640), (360, 360), (1920, 1080)]:
            sw = photo_cover._even(out[0] / BLUR_DOWNSCALE)
            sh = photo_cover._even(out[1] / BLUR_DOWNSCALE)
            blurs.append(
                {
                    "photo": list(photo),
                    "output": list(out),
                    "dest": _blur_dest(*photo, *out),
                    "fill": _crop_rect(*photo, sw, sh),
                }
            )
    return {"cover_size": sizes, "centre_crop": crops, "blur": blurs}


def _frames() -> dict[str, Any]:
    out_sizes = []
    areas = []
    for aspect in Aspect:
        for quality in Quality:
            w, h = compiler.output_size(OutputFormat(aspect=aspect, quality=quality))
            area = safe_area(w, h)
            out_sizes.append({"aspect": aspect.value, "quality": quality.value, "size": [w, h]})
            areas.append(
                {
                    "aspect": aspect.value,
                    "size": [w, h],
                    "safe": [area.left, area.top, area.right, area.bottom],
                }
            )
    return {"output_size": out_sizes, "safe_area": areas}


def _documents() -> list[dict[str, Any]]:
    """Documents and whether the model accepts them (the editor's validator must agree)."""
    good: dict[str, Any] = json.loads((ROOT / "examples" / "ad-16x9.json").read_text())
    clip = {**_CLIP, "duration_ms": 1000}

    def edited(change: Any) -> dict[str, Any]:
        doc = copy.deepcopy(good)
        change(doc)
        return doc

    docs: list[dict[str, Any]] = [
        good,
        {"video": [clip]},
        {"video": []},
        {"video": [{**clip, "duration_ms": 499}]},
        {"video": [{**clip, "kind": "slide"}]},
        {"video": [{"source": "a.jpg", "duration_ms": 1000}]},
        {"video": [{**clip, "source": "/etc/passwd"}]},
        {"video": [{**clip, "source": "../up.jpg"}]},
        {"video": [{**clip, "source": "https://x.test/a.jpg"}]},
        {"video": [{**clip, "source": "media:abc_1"}]},
        {"video": [{**clip, "source": "gs://bucket/a.jpg"}]},
        {"video": [clip], "extra": 1},
        {"video": [clip], "format": {"fps": 60}},
        {"video": [{**clip, "transition": {"type": "fade", "duration_ms": 0}}, clip]},
        {"video": [{**clip, "transition": {"type": "cut", "duration_ms": 300}}, clip]},
        {"video": [{**clip, "transition": {"type": "fade", "duration_ms": 600}}, clip]},
        {"video": [clip] * 11},
        {"kind": "long_form", "video": [clip] * 11},
        {"video": [clip], "texts": [{"text": "hi", "start_ms": 0, "end_ms": 1001}]},
        {"video": [clip], "texts": [{"text": "hi", "start_ms": 500, "end_ms": 500}]},
        {"video": [clip], "texts": [{"text": "hi", "start_ms": 0, "end_ms": 500}]},
        {"video": [clip], "texts": [{"text": "   ", "start_ms": 0, "end_ms": 1000}]},
        {"video": [clip], "texts": [{"text": "a\x07", "start_ms": 0, "end_ms": 1000}]},
        {
            "video": [clip],
            "texts": [{"text": "hi", "start_ms": 0, "end_ms": 1000, "style": {"color": "red"}}],
        },
        {"video": [{**clip, "kenburns": {"motion": "custom"}}]},
        {"video": [{**clip, "kenburns": {"start": {"zoom": 1.2}}}]},
        {"video": [clip], "captions": {}, "voice": {"source": "v.wav"}},
        {"video": [clip], "captions": {}},
        {"video": [clip], "voice": {"source": "v.wav", "trim_start_ms": 5, "trim_end_ms": 5}},
        {"video": [clip], "music": {"source": "m.wav", "volume": 4.5}},
        {"video": [{**clip, "source": "a.jpg\n"}]},
        {"video": [{**clip, "source": "a\u2028/../b.jpg"}]},
        {"video": [{**clip, "source": "gs://bucket/a\x85b.jpg"}]},
        {"video": [{**clip, "source": "photos/caf\u00e9 1.jpg"}]},
        {"video": [clip], "name": "Spring\nsale"},
        {"video": [clip], "texts": [{"text": "two\nlines\tok", "start_ms": 0, "end_ms": 900}]},
        {"video": [clip], "texts": [{"text": "c1 \x9b", "start_ms": 0, "end_ms": 900}]},
        {
            "video": [clip],
            "voice": {
                "source": "v.wav",
                "script": "Hi there",
                "word_timings": [{"word": "Hi\t", "start_ms": 0, "end_ms": 100}],
            },
        },
        {"video": [{**clip, "duration_ms": "1000"}]},
        {"video": [clip], "captions": {"enabled": 1}},
        edited(lambda d: d["texts"][0]["style"].update(size=0.3)),
        edited(lambda d: d["video"][0].update(duration_ms=600)),
    ]
    out = []
    for doc in docs:
        try:
            parse_timeline(doc)
            valid = True
        except InvalidRequest:
            valid = False
        out.append({"document": doc, "valid": valid})
    return out


def reference() -> dict[str, Any]:
    return {
        "timing": _timing(),
        "kenburns": _kenburns(),
        "cover": _cover(),
        "frames": _frames(),
        "documents": _documents(),
    }


def _format(value: Any, depth: int = 0) -> str:
    """JSON with the outer levels indented and each record on one line (small, diffable)."""
    pad, end = "  " * (depth + 1), "\n" + "  " * depth
    if depth < 3 and isinstance(value, dict) and value:
        items = [f"{pad}{json.dumps(k)}: {_format(v, depth + 1)}" for k, v in value.items()]
        return "{\n" + ",\n".join(items) + end + "}"
    if depth < 3 and isinstance(value, list) and value:
        return "[\n" + ",\n".join(pad + _format(v, depth + 1) for v in value) + end + "]"
    return json.dumps(value, ensure_ascii=True, separators=(",", ":"))


def reference_text() -> str:
    return _format(reference()) + "\n"


def main() -> int:
    FIXTURE.parent.mkdir(parents=True, exist_ok=True)
    FIXTURE.write_text(reference_text(), encoding="utf-8")
    sys.stdout.write(f"wrote {FIXTURE.relative_to(ROOT)}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
