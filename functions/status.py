"""HTTP function ``status``: which capabilities are online now (GPU boxes from heartbeats).

Signed-in users only: worker details are nobody else's business.
"""

from __future__ import annotations

from typing import Any

import flask
import functions_framework

from functions.http_deps import pipeline
from functions.http_util import Call, dispatch, json_response, route
from shared.pipeline.heartbeat import Heartbeat
from shared.pipeline.messages import Route, TaskKind


def capabilities(online: list[Heartbeat], keys: dict[str, bool]) -> dict[str, Any]:
    """Per task kind, where it can run now; the cloud (or its offline fallback) always can."""
    gpu = [b for b in online if b.route is Route.GPU]
    return {
        "gpu_workers": [
            {
                "worker_id": b.worker_id,
                "cuda": b.cuda,
                "gpu_name": b.gpu_name,
                "vram_mb": b.vram_mb,
                "nvenc": b.nvenc,
                "models": list(b.models),
                "tasks": [t.value for t in b.tasks],
                "busy": b.current_task is not None,
            }
            for b in gpu
        ],
        "tasks": {
            kind.value: {"gpu": any(kind in b.tasks for b in gpu), "cloud": True}
            for kind in TaskKind
        },
        "cloud_keys": keys,
    }


def _status(call: Call) -> flask.Response:
    call.uid()
    settings = call.deps.settings
    keys = {
        "gemini": settings.gemini_api_key is not None,
        "elevenlabs": settings.elevenlabs_api_key is not None,
    }
    return json_response(capabilities(pipeline().online.online(), keys))


ROUTES = [route("GET", "/", _status)]


@functions_framework.http
def status(request: flask.Request) -> flask.Response:
    return dispatch(request, "/api/status", ROUTES)
