"""ACE-Step 1.5's REST API server (acestep/api_server.py), the routes our client calls:
``POST /release_task``, ``POST /query_result``, ``GET /v1/audio?path=``.

``working()`` answers as the real server does once a generation is done: a task id, then status 1
with the result as a JSON *string* naming ``/v1/audio?path=...``, then the WAV (a test signal: a
click on every beat at the requested tempo over a quiet tone, mono 44.1 kHz, so the decoder
resamples). The other replies are its faults: HTTPException bodies, a failed or endless task.
"""

from __future__ import annotations

import io
import json
import time
import urllib.parse
import wave
from dataclasses import replace

import numpy as np

from tests.ai_servers.base import Received, Reply, ScriptedServer

RATE = 44_100
AUDIO_DIR = "/tmp/api_audio"
_WORK, _FAILED, _PENDING = b"\x00work", b"\x00failed", b"\x00pending"


class AceStepServer(ScriptedServer):
    def __init__(self) -> None:
        super().__init__()
        self.tasks: dict[str, dict[str, object]] = {}

    def route(self, request: Received, reply: Reply) -> Reply:
        path, _, query = request.path.partition("?")
        if path not in ("/release_task", "/query_result", "/v1/audio"):
            return error(404, "Not Found")
        if reply.body not in (_WORK, _FAILED, _PENDING):
            return reply
        if path == "/release_task":
            task_id = f"task-{len(self.tasks) + 1}"
            self.tasks[task_id] = request.json()
            answer = wrapped({"task_id": task_id, "status": "queued", "queue_position": 1})
        elif path == "/query_result":
            answer = wrapped([self._status(i, reply.body) for i in request.json()["task_id_list"]])
        else:
            file = urllib.parse.parse_qs(query)["path"][0]
            task_id = file.removeprefix(f"{AUDIO_DIR}/").removesuffix(".wav")
            answer = Reply(200, bed(self.tasks[task_id]), content_type="audio/wav")
        return replace(answer, delay_s=reply.delay_s)

    def _status(self, task_id: str, mode: bytes) -> dict[str, object]:
        if mode == _PENDING:
            return {"task_id": task_id, "result": "[]", "status": 0}
        params = self.tasks[task_id]
        if mode == _FAILED:
            result = [{"file": "", "status": 2, "error": "CUDA out of memory", "metas": {}}]
            return {"task_id": task_id, "result": json.dumps(result), "status": 2}
        file = "/v1/audio?path=" + urllib.parse.quote(f"{AUDIO_DIR}/{task_id}.wav", safe="")
        metas = {"bpm": params.get("bpm"), "duration": params.get("audio_duration")}
        result = [{"file": file, "wave": "", "status": 1, "create_time": int(time.time()),
                   "prompt": params.get("prompt"), "metas": metas}]  # fmt: skip
        return {"task_id": task_id, "result": json.dumps(result), "status": 1}


def bed(params: dict[str, object]) -> bytes:
    seconds, bpm = float(str(params["audio_duration"])), float(str(params["bpm"]))
    t = np.arange(int(seconds * RATE)) / RATE
    signal = 0.05 * np.sin(2 * np.pi * 220 * t)
    beat = int(60 / bpm * RATE)
    for start in range(0, len(t), beat):
        signal[start : start + 400] += 0.5
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes((np.clip(signal, -1, 1) * 32767).astype("<i2").tobytes())
    return out.getvalue()


def wrapped(data: object) -> Reply:
    body = {"data": data, "code": 200, "error": None, "timestamp": 0, "extra": None}
    return Reply(200, json.dumps(body).encode())


def working() -> Reply:
    return Reply(200, _WORK)


def failed() -> Reply:
    return Reply(200, _FAILED)


def pending() -> Reply:
    return Reply(200, _PENDING)


def error(status: int, detail: str) -> Reply:
    return Reply(status, json.dumps({"detail": detail}).encode())
