"""Music from ACE-Step 1.5's REST API server, which runs in its own environment on a GPU box
(notes/provider-apis.md §0.9, §4.1; acestep/api_server.py).

    POST /release_task   {"prompt", "lyrics", "bpm", "audio_duration", "audio_format", ...}
                         -> {"data": {"task_id", "status": "queued", ...}, "code": 200, ...}
    POST /query_result   {"task_id_list": [id]} -> {"data": [{"task_id", "status": 0|1|2,
                         "result": "<JSON string: [{\"file\": \"/v1/audio?path=...\", ...}]>"}]}
    GET  /v1/audio?path= the file

Every answer is wrapped as {"data", "code", "error", "timestamp", "extra"}; the optional API key
goes as ``Authorization: Bearer``. Every failure is a ``LinkFailed`` naming the reason.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
from pydantic import BaseModel, ConfigDict, ValidationError

from shared.chains import LinkFailed
from shared.settings import Secret

log = logging.getLogger(__name__)

QUEUED, SUCCEEDED, FAILED = 0, 1, 2
MIN_S, MAX_S = 10, 600  # the server's audio_duration range


class _Task(BaseModel):
    model_config = ConfigDict(extra="ignore")
    task_id: str


class _Status(BaseModel):
    model_config = ConfigDict(extra="ignore")
    task_id: str
    status: int
    result: str = "[]"


class _Audio(BaseModel):
    model_config = ConfigDict(extra="ignore")
    file: str
    error: str | None = None


def _reason(response: httpx.Response) -> str:
    status = response.status_code
    if status == 401:
        return "refused the API key (HTTP 401)"
    if status == 429:
        return "busy: its queue is full (HTTP 429)"
    if status >= 500:
        return f"server error (HTTP {status})"
    return f"refused the request (HTTP {status})"


class AceStepMusic:
    def __init__(
        self,
        base_url: str,
        *,
        api_key: Secret | None,
        timeout_s: float,
        deadline_s: float,
        poll_s: float,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._base_url, self._api_key = base_url, api_key
        self.timeout_s, self.deadline_s, self.poll_s = timeout_s, deadline_s, poll_s
        self._sleep, self._clock = sleep, clock

    def _call(self, http: httpx.Client, method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            response = http.request(method, path, **kwargs)
        except httpx.TimeoutException as exc:
            raise LinkFailed(f"no answer within {self.timeout_s:g} s") from exc
        except httpx.HTTPError as exc:
            raise LinkFailed("could not be reached") from exc
        if response.status_code != 200:
            raise LinkFailed(_reason(response))
        return response

    def _data(self, http: httpx.Client, path: str, body: dict[str, Any]) -> Any:
        try:
            envelope = self._call(http, "POST", path, json=body).json()
            if not isinstance(envelope, dict) or envelope.get("code", 200) != 200:
                raise ValueError(f"not ACE-Step's envelope: {str(envelope)[:100]}")
            return envelope["data"]
        except (ValueError, KeyError) as exc:  # JSONDecodeError is a ValueError
            raise LinkFailed("answered with a body that is not ACE-Step's JSON") from exc

    def compose(self, prompt: str, *, bpm: int, seconds: float, seed: int, dest: Path) -> Path:
        """An instrumental of ``seconds`` (clamped to 10..600) at ``bpm``, downloaded to ``dest``.

        Raises:
            LinkFailed: refused, busy, a server error, a failed generation, no result in time,
                or an answer that is not ACE-Step's shape.
        """
        request = {
            "prompt": prompt, "lyrics": "[Instrumental]", "bpm": bpm, "time_signature": "4",
            "audio_duration": min(MAX_S, max(MIN_S, round(seconds))), "audio_format": "wav",
            "batch_size": 1, "use_random_seed": False, "seed": seed, "thinking": False,
        }  # fmt: skip
        key = self._api_key
        headers = {"Authorization": f"Bearer {key.reveal()}"} if key else {}
        with httpx.Client(base_url=self._base_url, headers=headers, timeout=self.timeout_s) as http:
            task_id = self._release(http, request)
            self._download(http, self._wait(http, task_id).file, dest)
        log.info("ace-step composed", extra={"task_id": task_id, "seconds": seconds})
        return dest

    def _release(self, http: httpx.Client, request: dict[str, Any]) -> str:
        try:
            return _Task.model_validate(self._data(http, "/release_task", request)).task_id
        except ValidationError as exc:
            raise LinkFailed("answered with a body that is not ACE-Step's JSON") from exc

    def _download(self, http: httpx.Client, file: str, dest: Path) -> None:
        if not file.startswith("/v1/audio?"):
            raise LinkFailed(f"answered with a file outside its /v1/audio route ({file[:80]!r})")
        with dest.open("wb") as out:
            try:
                with http.stream("GET", file) as response:
                    if response.status_code != 200:
                        raise LinkFailed(f"could not send the music ({_reason(response)})")
                    for chunk in response.iter_bytes():
                        out.write(chunk)
            except httpx.TimeoutException as exc:
                raise LinkFailed(f"no answer within {self.timeout_s:g} s") from exc
            except httpx.HTTPError as exc:
                raise LinkFailed("could not send the music (connection lost)") from exc

    def _wait(self, http: httpx.Client, task_id: str) -> _Audio:
        ends = self._clock() + self.deadline_s
        while True:
            try:
                (status,) = (
                    _Status.model_validate(item)
                    for item in self._data(http, "/query_result", {"task_id_list": [task_id]})
                )
                if status.status == SUCCEEDED:
                    return _Audio.model_validate(json.loads(status.result)[0])
                if status.status == FAILED:
                    detail = json.loads(status.result or "[]")
                    why = (detail[0].get("error") if detail else None) or "no reason given"
                    raise LinkFailed(f"the generation failed ({str(why)[:200]})")
            except (ValidationError, ValueError, TypeError, LookupError, AttributeError) as exc:
                raise LinkFailed("answered with a body that is not ACE-Step's JSON") from exc
            if self._clock() + self.poll_s > ends:
                raise LinkFailed(f"no music within the {self.deadline_s:g} s allowed")
            self._sleep(self.poll_s)
