"""The exported JSON Schema: committed copies are fresh, it accepts the examples, refuses bad
documents like the model does, and docs/timeline.md names every field."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from shared.errors import InvalidRequest
from shared.timeline.schema import REPO_ROOT, SCHEMA_FILES, main, schema_text, timeline_schema
from shared.timeline.validate import parse_timeline

EXAMPLES = sorted((REPO_ROOT / "examples").glob("*.json"))
DOC = REPO_ROOT / "docs" / "timeline.md"


def test_committed_schema_files_equal_a_fresh_export() -> None:
    fresh = schema_text()
    for path in SCHEMA_FILES:
        assert path.read_text(encoding="utf-8") == fresh, (
            f"{path.relative_to(REPO_ROOT)} is stale: run python -m shared.timeline.schema"
        )
    assert main(["--check"]) == 0


def test_schema_is_valid_draft_2020_12() -> None:
    schema = timeline_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"].endswith("/2020-12/schema")
    assert {"video", "format", "voice", "music", "texts", "captions"} <= set(schema["properties"])


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_examples_are_valid_for_schema_and_model(path: Path) -> None:
    data = json.loads(path.read_text())
    jsonschema.validate(data, timeline_schema())
    parse_timeline(data)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda d: d["format"].update(fps=29), "format.fps"),
        (lambda d: d["video"][0].update(duration_ms=10), "video[0].duration_ms"),
        (lambda d: d["video"][0].update(kind="gif"), "video[0]"),
        (lambda d: d.update(colour="red"), "colour"),
        (lambda d: d["video"][0]["transition"].update(type="spin"), "video[0].transition.type"),
    ],
)
def test_schema_and_model_both_refuse_bad_documents(change: Any, field: str) -> None:
    data = json.loads(EXAMPLES[0].read_text())
    change(data)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, timeline_schema())
    with pytest.raises(InvalidRequest, match=re.escape(field)):
        parse_timeline(data)


def _fields(schema: dict[str, Any]) -> set[str]:
    names = set(schema["properties"])
    for definition in schema["$defs"].values():
        names |= set(definition.get("properties", {}))
    return names


def test_docs_name_every_field() -> None:
    doc = DOC.read_text(encoding="utf-8")
    missing = sorted(name for name in _fields(timeline_schema()) if f"`{name}`" not in doc)
    assert not missing, f"docs/timeline.md does not document: {missing}"


def test_docs_example_is_a_valid_timeline() -> None:
    doc = DOC.read_text(encoding="utf-8")
    block = doc.split("```json\n", 1)[1].split("```", 1)[0]
    data = json.loads(block)
    jsonschema.validate(data, timeline_schema())
    parse_timeline(data)
