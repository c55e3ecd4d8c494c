"""HTTP function ``voices``: the voices a job's made voice may use (the editor's voice picker),
and a voice made now from the editor's script into the library (the VOICE track then shows it
with its real length, and every render re-uses it).

Signed-in users only. Each voice says whether it can speak now and, if not, why.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import flask
import functions_framework
from pydantic import BaseModel, ConfigDict, Field

from functions.http_deps import pipeline
from functions.http_util import Call, dispatch, json_response, route
from functions.media_view import media_json
from shared.plain_text import Lines
from shared.timeline.model import MAX_SCRIPT_CHARS
from shared.voice.catalog import check_voice_id
from shared.voice.chain import speak, voice_allowance
from shared.voice.chain import voices as voice_list
from shared.voice.spoken import write_voice_file


class MakeVoiceBody(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    script: Lines = Field(min_length=1, max_length=MAX_SCRIPT_CHARS)
    voice_id: str | None = Field(default=None, max_length=200)


def _list(call: Call) -> flask.Response:
    call.uid()
    voices = voice_list(call.deps.settings)
    return json_response({"voices": [v.model_dump(mode="json") for v in voices]})


def _make(call: Call) -> flask.Response:
    """201: the voice as a ready library item, with its word timings and who spoke it."""
    uid = call.uid()
    body = call.body(MakeVoiceBody)
    check_voice_id(body.voice_id)
    settings = call.deps.settings
    allowance = voice_allowance(pipeline().usage, uid, settings)
    spoken = speak(body.script, body.voice_id, settings, allowance)
    with tempfile.TemporaryDirectory(prefix="voice-") as tmp:
        wav = Path(tmp) / "voice.wav"
        timings = write_voice_file(spoken.value, wav)
        item = call.deps.library.store_made_voice(
            uid, wav, body.script, spoken.made_by, spoken.warning or "", call.now
        )
    answer = {
        "media": media_json(call, item),
        "source": item.source,
        "duration_ms": item.duration_ms,
        "word_timings": [t.model_dump(mode="json") for t in timings],
        "made_by": spoken.made_by,
        "warning": spoken.warning,
    }
    return json_response(answer, 201)


ROUTES = [route("GET", "/", _list), route("POST", "/make", _make)]


@functions_framework.http
def voices(request: flask.Request) -> flask.Response:
    return dispatch(request, "/api/voices", ROUTES)
