"""The team's reference spec (reference-timeline.json): loading, variants, and its clock.

Copied from the team's bench/timeline.py. Ken Burns model: the photo is centre-cropped to the
output's aspect ("cover frame"); at zoom z the window is (cover_w / z) x (cover_h / z), centred at
(cx, cy) in normalised cover coordinates; zoom and centre are linear over the clip, progress
p = n / (N - 1) for frame n of N = round(duration * fps).
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

Spec = dict[str, Any]

REFERENCE = Path(__file__).with_name("reference-timeline.json")


def load_spec(assets: Path, width: int = 1920, height: int = 1080, clips: int = 10) -> Spec:
    """The reference spec at another size and/or clip count, photo paths in ``assets``."""
    raw: Spec = json.loads(REFERENCE.read_text())
    s = copy.deepcopy(raw)
    if (width, height) != (raw["width"], raw["height"]):
        s["width"], s["height"] = width, height
        for t in s["texts"]:
            t["size"] = int(round(t["size"] * height / raw["height"]))
    base = raw["clips"]
    s["clips"] = []
    for i in range(clips):
        c = copy.deepcopy(base[i % len(base)])
        if (i // len(base)) % 2 == 1:  # second pass: swap zoom-in and zoom-out
            c["kenburns"]["from"], c["kenburns"]["to"] = c["kenburns"]["to"], c["kenburns"]["from"]
        c["photo"] = str(assets / f"photo{i + 1:02d}.jpg")
        s["clips"].append(c)
    for k in ("voiceover", "music"):
        s["audio"][k]["path"] = str(assets / Path(s["audio"][k]["path"]).name)
    s["name"] = f"{raw['name']}-{width}x{height}-{clips}clips"
    return s


def clip_frames(spec: Spec) -> int:
    return int(round(spec["clip_duration"] * spec["fps"]))


def clip_starts(spec: Spec) -> list[float]:
    """Start of each clip on the output timeline, in seconds (the xfade offsets)."""
    step = clip_frames(spec) / spec["fps"] - spec["transition"]["duration"]
    return [round(i * step, 6) for i in range(len(spec["clips"]))]


def total_duration(spec: Spec) -> float:
    n = len(spec["clips"])
    d = clip_frames(spec) / spec["fps"]
    return round(n * d - (n - 1) * spec["transition"]["duration"], 6)


def total_frames(spec: Spec) -> int:
    return int(round(total_duration(spec) * spec["fps"]))


def text_abs_times(spec: Spec) -> list[dict[str, Any]]:
    """The texts with absolute start/end (seconds) on the output timeline."""
    starts = clip_starts(spec)
    out = []
    for t in spec["texts"]:
        c = t["clip"] if t["clip"] >= 0 else len(spec["clips"]) + t["clip"]
        out.append({**t, "abs_start": starts[c] + t["start"], "abs_end": starts[c] + t["end"]})
    return out


def kb_params(clip: dict[str, Any]) -> tuple[float, float, float, float, float, float]:
    a, b = clip["kenburns"]["from"], clip["kenburns"]["to"]
    return (a["zoom"], b["zoom"], a["cx"], b["cx"], a["cy"], b["cy"])
