"""`createstudio demo` (what `make demo` runs) as a real subprocess: the sample ad, end to end."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from shared.cli.demo import EXAMPLE, sample_ad
from shared.render.media.probe import probe_streams
from shared.timeline.validate import parse_timeline

pytestmark = [pytest.mark.emulator, pytest.mark.ffmpeg, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[2]
EMULATOR_VARS = ("PUBSUB_EMULATOR_HOST", "FIRESTORE_EMULATOR_HOST", "STORAGE_EMULATOR_HOST")


def test_demo_saves_the_mp4_and_poster(tmp_path: Path) -> None:
    out = tmp_path / "out"
    env = {k: v for k, v in os.environ.items() if k not in EMULATOR_VARS}  # it makes its own
    done = subprocess.run(
        [sys.executable, "-m", "shared.cli.main", "demo", "--out", str(out)],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=400,
    )  # fmt: skip
    assert done.returncode == 0, f"stdout:\n{done.stdout[-3000:]}\nstderr:\n{done.stderr[-3000:]}"

    videos, posters = sorted(out.glob("*.mp4")), sorted(out.glob("*.jpg"))
    assert len(videos) == 1 and len(posters) == 1 and posters[0].stem == videos[0].stem
    assert posters[0].read_bytes()[:3] == b"\xff\xd8\xff"  # a JPEG
    facts = probe_streams(videos[0])
    example = json.loads(EXAMPLE.read_text())
    sources = {Path(c["source"]).name: "media:x" for c in example["video"]}
    expected_ms = parse_timeline(sample_ad(example, sources)[0]).duration_ms
    assert facts.video is not None and facts.audio is not None
    assert (facts.video.width, facts.video.height) == (1920, 1080)  # final quality, as is
    assert abs(facts.duration_ms - expected_ms) <= 1000 / 30

    printed = done.stdout
    assert "Demo user: demo-" in printed and "password: " in printed
    assert printed.count("uploaded ") == len(example["video"])
    assert "warning: script: Ollama: CS_OLLAMA_HOST is not set" in printed
    assert "written by the offline template writer" in printed
    assert "warning: voice: ElevenLabs: key not set" in printed
    assert "warning: music: ACE-Step: no ACE-Step server here" in printed
    assert "made by the offline composer" in printed
    assert f"Video:  {videos[0]}" in printed and "LUFS" in printed
    assert "the local stack is stopped" in printed


def test_a_job_that_does_not_finish_in_time_fails_with_a_clear_message(tmp_path: Path) -> None:
    out = tmp_path / "out"
    env = {k: v for k, v in os.environ.items() if k not in EMULATOR_VARS}
    done = subprocess.run(
        [sys.executable, "-m", "shared.cli.main", "demo", "--out", str(out), "--timeout", "1"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 1, done.stdout[-2000:]
    assert re.search(r"createstudio demo: job \w+ still \w+ after 1 s", done.stderr), done.stderr
    assert not out.exists() or list(out.iterdir()) == []
