"""The web model's reference values (tests/web/fixtures/python_reference.json) are what the
Python renderer computes today: a change to timing, Ken Burns, photo fitting, safe areas or the
timeline rules must be carried to web/src/model/ and the fixture rewritten."""

from __future__ import annotations

import json

from tests.web.make_fixtures import FIXTURE, reference_text


def test_committed_web_reference_equals_a_fresh_export() -> None:
    fresh = reference_text()
    assert FIXTURE.read_text(encoding="utf-8") == fresh, (
        "tests/web/fixtures/python_reference.json is stale: run "
        ".venv/bin/python -m tests.web.make_fixtures, then make sure `cd web && npm test` passes"
    )


def test_reference_covers_both_verdicts_and_every_section() -> None:
    ref = json.loads(reference_text())
    assert set(ref) == {"timing", "kenburns", "cover", "frames", "documents"}
    verdicts = {d["valid"] for d in ref["documents"]}
    assert verdicts == {True, False}
    assert any(c["path"] is None for c in ref["kenburns"]["cases"])
    assert any(
        p["incoming"] is not None for t in ref["timing"]["timelines"] for p in t["frame_parts"]
    )
