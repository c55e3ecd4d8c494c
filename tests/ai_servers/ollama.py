"""Ollama's ``POST /api/generate`` (non-streaming), as the ``ollama`` Python client calls it."""

from __future__ import annotations

import json
from typing import Any

from tests.ai_servers.base import Received, Reply, ScriptedServer


class OllamaServer(ScriptedServer):
    def route(self, request: Received, reply: Reply) -> Reply:
        if request.path != "/api/generate":
            return error(404, f"404 page not found: {request.path}")
        return reply


def generated(payload: Any, model: str = "test-model") -> Reply:
    """A finished generation whose ``response`` text is ``payload`` (JSON-encoded unless a str)."""
    text = payload if isinstance(payload, str) else json.dumps(payload)
    body = {
        "model": model,
        "created_at": "2026-12-03T09:00:00.000000Z",
        "response": text,
        "done": True,
        "done_reason": "stop",
        "context": [1, 2, 3],
        "total_duration": 1_200_000_000,
        "load_duration": 100_000_000,
        "prompt_eval_count": 120,
        "prompt_eval_duration": 300_000_000,
        "eval_count": 80,
        "eval_duration": 800_000_000,
    }
    return Reply(200, json.dumps(body).encode())


def error(status: int, message: str) -> Reply:
    return Reply(status, json.dumps({"error": message}).encode())
