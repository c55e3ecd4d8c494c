"""Export the timeline's JSON Schema for the web editor and integrators.

The committed copies (``shared/timeline/timeline.schema.json`` and
``web/schema/timeline.schema.json``) must equal a fresh export; a test checks it. After changing
the model, run ``python -m shared.timeline.schema`` to rewrite them (``--check`` only compares).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from shared.timeline.model import SCHEMA_VERSION, Timeline

REPO_ROOT = Path(__file__).resolve().parents[2]
SCHEMA_FILES = (
    Path(__file__).resolve().parent / "timeline.schema.json",
    REPO_ROOT / "web" / "schema" / "timeline.schema.json",
)
SCHEMA_ID = f"https://createstudio.example/schema/timeline-v{SCHEMA_VERSION}.json"


def timeline_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a timeline document, version ``SCHEMA_VERSION``."""
    schema = Timeline.model_json_schema(mode="validation")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        **schema,
        "title": f"Create Studio timeline, schema version {SCHEMA_VERSION}",
    }


def schema_text() -> str:
    return json.dumps(timeline_schema(), indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--check", action="store_true", help="compare only; exit 1 if stale")
    args = parser.parse_args(argv)
    text = schema_text()
    stale = [p for p in SCHEMA_FILES if not p.exists() or p.read_text(encoding="utf-8") != text]
    if args.check:
        for path in stale:
            print(f"stale: {path.relative_to(REPO_ROOT)} (run python -m shared.timeline.schema)")
        return 1 if stale else 0
    for path in stale:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path.relative_to(REPO_ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
