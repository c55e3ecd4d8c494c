"""Vertex AI's Veo long-running predictions, as google-genai 3.x calls them (Vertex mode).

    POST /v1beta1/projects/{p}/locations/{l}/publishers/google/models/{model}:predictLongRunning
         -> {"name": "<model path>/operations/<id>"}
    POST /v1beta1/<model path>:fetchPredictOperation  {"operationName": ...}
         -> {"name", "done"?, "response"?: {"videos": [...], "raiMediaFiltered*"}, "error"?}

Each request pops the next scripted reply; ``operation``/``polled``/``video_done`` build bodies.
"""

from __future__ import annotations

import base64
import json
import re

from tests.ai_servers.base import Received, Reply, ScriptedServer
from tests.ai_servers.gemini import error

_MODEL_PATH = r"/v1beta1/(?P<path>projects/[^/]+/locations/[^/]+/publishers/google/models/[^/:]+)"
START = re.compile(_MODEL_PATH + r":predictLongRunning$")
POLL = re.compile(_MODEL_PATH + r":fetchPredictOperation$")
OPERATION = "projects/p/locations/l/publishers/google/models/veo/operations/op-1"


class VertexServer(ScriptedServer):
    def route(self, request: Received, reply: Reply) -> Reply:
        path = request.path.split("?")[0]
        if START.match(path) is None and POLL.match(path) is None:
            return error(404, f"no such method: {request.path}")
        return reply


def started(name: str = OPERATION) -> Reply:
    return Reply(200, json.dumps({"name": name}).encode())


def running(name: str = OPERATION) -> Reply:
    return Reply(200, json.dumps({"name": name, "metadata": {"progress": 10}}).encode())


def video_done(video: bytes | None = None, gcs_uri: str | None = None) -> Reply:
    item: dict[str, str] = {"mimeType": "video/mp4"}
    if video is not None:
        item["bytesBase64Encoded"] = base64.b64encode(video).decode()
    if gcs_uri is not None:
        item["gcsUri"] = gcs_uri
    body = {"name": OPERATION, "done": True, "response": {"videos": [item]}}
    return Reply(200, json.dumps(body).encode())


def filtered(reason: str = "the prompt was blocked by a safety filter") -> Reply:
    response = {"raiMediaFilteredCount": 1, "raiMediaFilteredReasons": [reason]}
    body = {"name": OPERATION, "done": True, "response": response}
    return Reply(200, json.dumps(body).encode())


def failed(code: int = 3, message: str = "video generation failed") -> Reply:
    body = {"name": OPERATION, "done": True, "error": {"code": code, "message": message}}
    return Reply(200, json.dumps(body).encode())
