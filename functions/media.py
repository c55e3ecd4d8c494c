"""HTTP function ``media``: upload URLs, registration (server-side validation), AI stills and
clips (queued: a worker fills the pending item in), list, delete."""

from __future__ import annotations

import flask
import functions_framework
from pydantic import BaseModel, ConfigDict, Field

from functions.http_deps import pipeline
from functions.http_util import Call, dispatch, json_response, route
from functions.media_view import media_json
from functions.storage_links import browser_link
from shared.imagery.request import GenerateRequest
from shared.imagery.service import Generator
from shared.imagery.submit import submit_generation
from shared.plain_text import OneLine


class UploadBody(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    filename: OneLine = Field(min_length=1, max_length=255)
    content_type: str = Field(min_length=1, max_length=100)
    size_bytes: int = Field(strict=True)


def _request_upload(call: Call) -> flask.Response:
    uid = call.uid()
    body = call.body(UploadBody)
    item, upload = call.deps.library.request_upload(
        uid, body.filename, body.content_type, body.size_bytes, call.now
    )
    signed = {
        "url": browser_link(call, upload.url),
        "method": upload.method,
        "headers": dict(upload.headers),
        "expires_at": upload.expires_at.isoformat(),
    }
    return json_response({"media_id": item.media_id, "upload": signed}, 201)


def _register(call: Call) -> flask.Response:
    item = call.deps.library.register(call.uid(), call.params["media_id"], call.now)
    return json_response({"media": media_json(call, item)})


def _generate(call: Call) -> flask.Response:
    """202: a pending item; a worker makes the still or clip (watch ``media/{media_id}``)."""
    uid = call.uid()
    body = call.body(GenerateRequest)
    ports = pipeline()
    generator = Generator(call.deps.library, call.deps.settings, models=None)
    item, route_ = submit_generation(generator, ports.bus, ports.online, uid, body, call.now)
    answer = {"media_id": item.media_id, "status": item.status.value, "route": route_.value}
    return json_response(answer | {"media": media_json(call, item)}, 202)


def _list(call: Call) -> flask.Response:
    items = call.deps.library.list_items(call.uid())
    return json_response({"media": [media_json(call, item) for item in items]})


def _delete(call: Call) -> flask.Response:
    call.deps.library.delete(call.uid(), call.params["media_id"])
    return json_response({"deleted": call.params["media_id"]})


ROUTES = [
    route("POST", "/uploads", _request_upload),
    route("POST", "/generate", _generate),
    route("GET", "/", _list),
    route("POST", "/{media_id}/register", _register),
    route("DELETE", "/{media_id}", _delete),
]


@functions_framework.http
def media(request: flask.Request) -> flask.Response:
    return dispatch(request, "/api/media", ROUTES)
