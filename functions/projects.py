"""HTTP function ``projects``: the editor's drafts (list, create, read, save, delete).

Every route acts as the signed-in user; another user's draft answers 404 like a missing one. A
save names the revision it read and answers 409 if the draft changed since.
"""

from __future__ import annotations

from typing import Any

import flask
import functions_framework
from pydantic import BaseModel, ConfigDict, Field

from functions.http_deps import drafts
from functions.http_util import Call, dispatch, json_response, route
from shared.plain_text import OneLine
from shared.projects.model import Draft, Project
from shared.timeline.validate import MAX_TIMELINE_BYTES

MAX_DRAFT_BODY_BYTES = MAX_TIMELINE_BYTES + 64 * 1024


class CreateProjectBody(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)
    name: OneLine = Field(min_length=1, max_length=200)


class SaveProjectBody(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)
    revision: int = Field(ge=1)  # the revision the client last read
    draft: Draft


def project_json(project: Project) -> dict[str, Any]:
    return project.model_dump(mode="json")


def _list(call: Call) -> flask.Response:
    rows = drafts().list_projects(call.uid())
    return json_response({"projects": [row.model_dump(mode="json") for row in rows]})


def _create(call: Call) -> flask.Response:
    uid = call.uid()
    name = call.body(CreateProjectBody).name
    return json_response({"project": project_json(drafts().create(uid, name, call.now))}, 201)


def _get(call: Call) -> flask.Response:
    project = drafts().get(call.uid(), call.params["project_id"])
    return json_response({"project": project_json(project)})


def _save(call: Call) -> flask.Response:
    uid = call.uid()
    body = call.body(SaveProjectBody, max_bytes=MAX_DRAFT_BODY_BYTES)
    project = drafts().save(uid, call.params["project_id"], body.revision, body.draft, call.now)
    return json_response({"project": project_json(project)})


def _delete(call: Call) -> flask.Response:
    drafts().delete(call.uid(), call.params["project_id"])
    return json_response({"deleted": call.params["project_id"]})


ROUTES = [
    route("GET", "/", _list),
    route("POST", "/", _create),
    route("GET", "/{project_id}", _get),
    route("PUT", "/{project_id}", _save),
    route("DELETE", "/{project_id}", _delete),
]


@functions_framework.http
def projects(request: flask.Request) -> flask.Response:
    return dispatch(request, "/api/projects", ROUTES)
