"""Gemini's Developer API ``POST /v1/models/{model}:generateContent``, as google-genai calls it."""

from __future__ import annotations

import json
import re
from typing import Any

from tests.ai_servers.base import Received, Reply, ScriptedServer

_GENERATE = re.compile(r"^/v1(beta)?/models/(?P<model>[^/:]+):generateContent$")
_STATUS_NAMES = {
    400: "INVALID_ARGUMENT",
    404: "NOT_FOUND",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    503: "UNAVAILABLE",
}


class GeminiServer(ScriptedServer):
    def route(self, request: Received, reply: Reply) -> Reply:
        if _GENERATE.match(request.path.split("?")[0]) is None:
            return error(404, f"no such method: {request.path}")
        return reply


def model_of(request: Received) -> str:
    found = _GENERATE.match(request.path.split("?")[0])
    assert found is not None, request.path
    return found["model"]


def generated(payload: Any, finish_reason: str = "STOP") -> Reply:
    """One candidate whose only text part is ``payload`` (JSON-encoded unless a str)."""
    text = payload if isinstance(payload, str) else json.dumps(payload)
    body = {
        "candidates": [
            {
                "content": {"parts": [{"text": text}], "role": "model"},
                "finishReason": finish_reason,
                "index": 0,
            }
        ],
        "usageMetadata": {"promptTokenCount": 120, "candidatesTokenCount": 80},
        "modelVersion": "test-model",
    }
    return Reply(200, json.dumps(body).encode())


def error(status: int, message: str = "") -> Reply:
    name = _STATUS_NAMES.get(status, "UNKNOWN")
    body = {"error": {"code": status, "message": message or name.lower(), "status": name}}
    return Reply(status, json.dumps(body).encode())
