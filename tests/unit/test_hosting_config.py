"""Firebase Hosting serves web/ and rewrites the API's paths to the functions, as the local
gateway routes them: both must name the same paths and functions (docs/api.md)."""

from __future__ import annotations

import json
from pathlib import Path

import functions.main
from shared.localstack.gateway import ROUTES

REPO = Path(__file__).resolve().parents[2]


def _rewrites() -> dict[str, str]:
    hosting = json.loads((REPO / "firebase.json").read_text())["hosting"]
    return {r["source"]: r["function"]["functionId"] for r in hosting["rewrites"]}


def test_every_gateway_route_is_rewritten_to_its_function() -> None:
    expected = {f"{prefix}{{,/**}}": target for prefix, target in ROUTES.items()}
    assert _rewrites() == expected


def test_every_rewritten_function_is_exported_by_main() -> None:
    for function_id in _rewrites().values():
        assert hasattr(functions.main, function_id), f"functions/main.py exports no {function_id}"


def test_hosting_serves_the_editor_without_its_sources() -> None:
    hosting = json.loads((REPO / "firebase.json").read_text())["hosting"]
    assert hosting["public"] == "web"
    assert (REPO / "web" / "index.html").is_file()
    assert "src/**" in hosting["ignore"] and "node_modules/**" in hosting["ignore"]
