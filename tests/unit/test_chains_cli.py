"""``createstudio chains`` on Settings built from a dict: links, reasons, keys never printed."""

from __future__ import annotations

from datetime import UTC, datetime

from shared.cli.chains import NO_FIRESTORE, chain_views, describe_boxes, format_report, key_lines
from shared.imagery.models import MUSICGEN, SDXL
from shared.pipeline.heartbeat import Heartbeat
from shared.pipeline.messages import Route, TaskKind
from shared.settings import Settings

BASE = {"GOOGLE_CLOUD_PROJECT": "demo"}
GEMINI_KEY = "sk-gemini-secret-123"


def _report(env: dict[str, str]) -> str:
    settings = Settings.from_env({**BASE, **env})
    return format_report(chain_views(settings), key_lines(settings), describe_boxes(None))


def _section(report: str, capability: str) -> str:
    blocks = report.split("\n\n")
    return next(block for block in blocks if block.split(" ")[0].strip() == capability)


def test_no_keys_falls_to_the_offline_links() -> None:
    report = _report({})
    script = _section(report, "script")
    assert "Ollama - skipped: CS_OLLAMA_HOST is not set" in script
    assert "Gemini - skipped: GEMINI_API_KEY is not set" in script
    assert "answers now: offline template writer" in script
    assert "GEMINI_API_KEY: not set" in report
    assert f"GPU boxes: {NO_FIRESTORE}" in report


def test_a_set_key_is_named_set_and_never_printed() -> None:
    report = _report({"GEMINI_API_KEY": GEMINI_KEY, "CS_OLLAMA_HOST": "http://127.0.0.1:9"})
    assert GEMINI_KEY not in report
    assert "GEMINI_API_KEY: set" in report
    assert "answers now: Ollama" in _section(report, "script")


def test_every_capability_is_listed_in_order() -> None:
    report = _report({})
    heads = [block.split("\n")[0] for block in report.strip().split("\n\n")[1:]]
    assert heads == ["script", "voice", "music", "image", "clip", "render"]
    render = _section(report, "render")
    assert "GPU box - skipped: no GPU box that takes renders is online" in render
    assert "answers now: cloud CPU renderer" in render
    assert "answers now: Ken Burns" in _section(report, "clip")  # from a library photo
    music = _section(report, "music")
    assert "ACE-Step - skipped: no ACE-Step server here" in music
    assert "answers now: offline composer (made by the offline composer)" in music


def test_gpu_links_answer_where_an_online_box_advertises_the_model() -> None:
    box = Heartbeat(
        worker_id="box-1", route=Route.GPU, nvenc=True, models=(SDXL, MUSICGEN),
        tasks=(TaskKind.RENDER, TaskKind.MUSIC), started_at=datetime.now(UTC),
    )  # fmt: skip
    settings = Settings.from_env(BASE)
    report = format_report(chain_views(settings, [box]), key_lines(settings), "box-1")
    assert "answers now: SDXL" in _section(report, "image")
    assert "answers now: MusicGen" in _section(report, "music")
    assert "Wan 2.1 - skipped: no online GPU box has the wan-i2v model" in _section(report, "clip")
    assert "answers now: GPU box (rendered on the GPU box (box-1: NVENC))" in _section(
        report, "render"
    )
