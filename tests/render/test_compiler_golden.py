"""Golden tests: the exact FFmpeg command for each fixture timeline.

tests/data/timelines/<name>.json -> tests/data/golden/<name>.txt. After a deliberate change to
the graph, rewrite them with ``UPDATE_GOLDEN=1 pytest tests/render/test_compiler_golden.py`` and
review the diff.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from shared.render.graph.compiler import compile_audio_plan, compile_video_plan
from shared.render.graph.plan import RenderPlan
from shared.render.text.fonts import font_path
from shared.timeline import Font
from tests.render.compiler_fixtures import (
    FIXTURE_MEDIA,
    GOLDEN,
    MIX,
    OPTIONS,
    fixture_names,
    load_timeline,
)

FONT_DIR = str(Path(font_path(Font.SANS)).parent)


def _describe(plan: RenderPlan, output: str) -> list[str]:
    lines = []
    for arg in plan.argv("ffmpeg", output):
        if ";" in arg and arg == plan.filter_graph:
            # one chain per line (an escaped \; inside an expression is not a chain break)
            lines += ["  " + chain for chain in re.split(r"(?<!\\);", arg)]
        else:
            lines.append(arg)
    lines += [f"text_files[{name}] = {text!r}" for name, text in sorted(plan.text_files.items())]
    lines.append(f"duration_ms={plan.duration_ms} frame_count={plan.frame_count}")
    return lines


def _golden_text(name: str) -> str:
    timeline = load_timeline(name)
    video = compile_video_plan(timeline, FIXTURE_MEDIA, OPTIONS, MIX)
    audio = compile_audio_plan(timeline, FIXTURE_MEDIA, OPTIONS)
    lines = ["# video", *_describe(video, "out.mp4"), "# audio", *_describe(audio, "mix.wav")]
    # The packaged font's absolute path depends on the checkout: compared by name only.
    return "\n".join(lines).replace(FONT_DIR, "<fonts>") + "\n"


@pytest.mark.parametrize("name", fixture_names())
def test_plan_matches_golden(name: str) -> None:
    path = GOLDEN / f"{name}.txt"
    actual = _golden_text(name)
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.write_text(actual)
    assert path.exists(), f"no golden file {path}: run with UPDATE_GOLDEN=1 and review it"
    assert actual == path.read_text()


def test_plans_are_deterministic() -> None:
    assert all(_golden_text(n) == _golden_text(n) for n in fixture_names())
