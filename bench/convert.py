"""The team's reference spec as OUR timeline (schema v1): custom Ken Burns viewports with linear
easing (the reference's motion exactly), 0.5 s fades, a title and a call to action, voice and
music ducked under it. Media sources are paths relative to the timeline file's folder."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import spec as sp

from shared.timeline.model import Timeline


def _ms(seconds: float) -> int:
    return int(round(seconds * 1000))


def to_timeline(spec: sp.Spec, folder: Path) -> Timeline:
    """The spec as a validated Timeline whose sources are relative to ``folder``."""
    fps = spec["fps"]
    clip_ms = _ms(sp.clip_frames(spec) / fps)
    fade = {"type": spec["transition"]["type"], "duration_ms": _ms(spec["transition"]["duration"])}
    last = len(spec["clips"]) - 1

    def rel(path: str) -> str:
        return os.path.relpath(path, folder)

    video = []
    for i, c in enumerate(spec["clips"]):
        a, b = c["kenburns"]["from"], c["kenburns"]["to"]
        video.append(
            {
                "kind": "photo",
                "source": rel(c["photo"]),
                "duration_ms": clip_ms,
                "fit": "crop",
                "kenburns": {
                    "motion": "custom",
                    "easing": "linear",
                    "start": {"zoom": a["zoom"], "x": a["cx"], "y": a["cy"]},
                    "end": {"zoom": b["zoom"], "x": b["cx"], "y": b["cy"]},
                },
                "transition": fade if i < last else {"type": "cut"},
            }
        )
    texts: list[dict[str, Any]] = []
    for t in sp.text_abs_times(spec):
        top = t["y"] < 0.5
        texts.append(
            {
                "role": "title" if t["clip"] == 0 else "cta",
                "text": t["text"],
                "start_ms": _ms(t["abs_start"]),
                "end_ms": _ms(t["abs_end"]),
                "anchor": "top" if top else "bottom",
                "style": {"size": t["size"] / spec["height"], "box": bool(t.get("box"))},
                "fade_in_ms": 0,
                "fade_out_ms": 0,
            }
        )
    vo, mu = spec["audio"]["voiceover"], spec["audio"]["music"]
    duck = mu["duck"]
    doc = {
        "schema_version": 1,
        "kind": "ad" if len(video) <= 10 else "long_form",
        "name": spec["name"],
        "format": {"aspect": "16:9", "fps": fps, "quality": "final"},
        "video": video,
        "texts": texts,
        "voice": {
            "source": rel(vo["path"]),
            "offset_ms": _ms(vo["start"]),
            "volume": 10 ** (vo["gain_db"] / 20),
        },
        "music": {
            "source": rel(mu["path"]),
            "volume": round(10 ** (mu["gain_db"] / 20), 4),
            "fade_in_ms": 0,
            "fade_out_ms": _ms(mu.get("fade_out", 0)),
            "duck": {
                "threshold": duck["threshold"],
                "ratio": duck["ratio"],
                "attack_ms": duck["attack_ms"],
                "release_ms": duck["release_ms"],
            },
        },
    }
    return Timeline.model_validate(doc)
