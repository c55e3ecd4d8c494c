"""The pure parts of the local pipeline's wiring: the demo's timeline, readiness from a log line,
Firestore REST values as a user reads them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from shared.cli.demo import EXAMPLE, DemoFailed, sample_ad
from shared.localstack.pipeline_services import logged
from shared.localstack.user_firestore import UserFirestore, decode_value
from shared.scripts.brief import ScriptBrief
from shared.timeline.validate import parse_timeline


def example() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(EXAMPLE.read_text())
    return loaded


def test_sample_ad_uses_library_sources_and_leaves_script_voice_and_music_to_the_pipeline() -> None:
    data = example()
    names = [Path(c["source"]).name for c in data["video"]]
    sources = {name: f"media:id{i}" for i, name in enumerate(names)}

    timeline, brief = sample_ad(data, sources)

    assert [c["source"] for c in timeline["video"]] == [sources[n] for n in names]
    assert "voice" not in timeline and "music" not in timeline
    parsed = parse_timeline(timeline)
    assert ScriptBrief.model_validate(brief).duration_s == parsed.duration_ms // 1000
    assert parsed.voice is None and parsed.music is None and len(parsed.video) == len(names)
    assert parsed.captions is not None and parsed.captions.enabled  # timed to the made voice
    assert data["voice"] and data["music"]  # the example itself is left as it was


def test_sample_ad_names_a_photo_that_was_not_uploaded() -> None:
    with pytest.raises(DemoFailed, match=r"video\[0\]: storefront.jpg was not uploaded"):
        sample_ad(example(), {})


def test_ready_once_the_log_has_the_message(tmp_path: Path) -> None:
    log = tmp_path / "svc.log"
    ready = logged(log, "worker ready")
    assert not ready()  # no log yet
    log.write_text('not json\n{"message": "starting"}\n["a list"]\n')
    assert not ready()
    with open(log, "a") as out:
        out.write(json.dumps({"severity": "INFO", "message": "worker ready"}) + "\n")
    assert ready()


def test_firestore_values_decode_to_python() -> None:
    value = {
        "mapValue": {
            "fields": {
                "progress": {"doubleValue": 42.5},
                "attempt": {"integerValue": "3"},
                "error": {"nullValue": None},
                "warnings": {"arrayValue": {"values": [{"stringValue": "music: offline"}]}},
                "none": {"arrayValue": {}},
                "done": {"booleanValue": True},
                "at": {"timestampValue": "2026-01-02T03:04:05.600Z"},
            }
        }
    }
    assert decode_value(value) == {
        "progress": 42.5,
        "attempt": 3,
        "error": None,
        "warnings": ["music: offline"],
        "none": [],
        "done": True,
        "at": "2026-01-02T03:04:05.600Z",
    }


def test_a_login_without_emulator_access_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match="emulator_host, token missing"):
        UserFirestore.from_login({"uid": "a", "firestore": {"project": "p", "custom_token": "x"}})
