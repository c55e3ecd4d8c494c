"""HTTP function ``auth``: POST /api/auth/login, POST /api/auth/logout, GET /api/auth/me."""

from __future__ import annotations

import flask
import functions_framework
from pydantic import BaseModel, ConfigDict, Field

from functions.http_util import Call, dispatch, json_response, route
from shared.auth.cookies import COOKIE_NAME, clear_cookie_header, set_cookie_header
from shared.auth.firebase_tokens import firestore_access
from shared.auth.passwords import MAX_PASSWORD_CHARS


class LoginBody(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, max_length=64)
    # repr=False: a validation error or a log line never shows the password
    password: str = Field(min_length=1, max_length=MAX_PASSWORD_CHARS, repr=False)


def _login(call: Call) -> flask.Response:
    body = call.body(LoginBody)
    address = call.deps.client_address(call.request)
    done = call.deps.auth.login(body.name, body.password, address, call.now)
    cookie = set_cookie_header(
        done.cookie,
        int((done.session.expires_at - call.now).total_seconds()),
        secure=not call.deps.settings.local_mode,
    )
    answer = {
        "uid": done.uid,
        "firestore": firestore_access(call.deps.settings, done.uid, call.now),
    }
    return json_response(answer, headers={"Set-Cookie": cookie})


def _logout(call: Call) -> flask.Response:
    call.deps.auth.logout(call.request.cookies.get(COOKIE_NAME), call.now)
    clear = clear_cookie_header(secure=not call.deps.settings.local_mode)
    return json_response({"signed_out": True}, headers={"Set-Cookie": clear})


def _me(call: Call) -> flask.Response:
    # The Firestore access too: an editor reloaded with a live session watches its jobs again.
    uid = call.uid()
    return json_response(
        {"uid": uid, "firestore": firestore_access(call.deps.settings, uid, call.now)}
    )


ROUTES = [
    route("POST", "/login", _login),
    route("POST", "/logout", _logout),
    route("GET", "/me", _me),
]


@functions_framework.http
def auth(request: flask.Request) -> flask.Response:
    return dispatch(request, "/api/auth", ROUTES)
