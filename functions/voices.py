"""HTTP function ``voices``: the voices a job's made voice may use (the editor's voice picker).

Signed-in users only. Each voice says whether it can speak now and, if not, why.
"""

from __future__ import annotations

import flask
import functions_framework

from functions.http_util import Call, dispatch, json_response, route
from shared.voice.chain import voices as voice_list


def _list(call: Call) -> flask.Response:
    call.uid()
    voices = voice_list(call.deps.settings)
    return json_response({"voices": [v.model_dump(mode="json") for v in voices]})


ROUTES = [route("GET", "/", _list)]


@functions_framework.http
def voices(request: flask.Request) -> flask.Response:
    return dispatch(request, "/api/voices", ROUTES)
