"""HTTP function ``scripts``: write an ad script from a brief (the editor's "Write with AI").

The one place a request waits on an AI provider: under a short deadline, after which the next
link of the chain (in the end the offline template writer) answers.
"""

from __future__ import annotations

import functools

import flask
import functions_framework

from functions.http_deps import deps
from functions.http_util import Call, dispatch, json_response, route
from shared.adapters.firestore_usage import FirestoreHourlyQuota
from shared.chains import Link
from shared.scripts.brief import ScriptBrief
from shared.scripts.links import script_links
from shared.scripts.service import Finished, ScriptTask, write_script


@functools.cache
def _links() -> list[Link[ScriptTask, Finished]]:
    return script_links(deps().settings)


@functools.cache
def _quota() -> FirestoreHourlyQuota:
    return FirestoreHourlyQuota(deps().clients.firestore, deps().settings.script_rate_per_hour)


def _write(call: Call) -> flask.Response:
    uid = call.uid()
    brief = call.body(ScriptBrief)
    _quota().take(uid, call.now)
    written = write_script(brief, _links(), deadline_s=call.deps.settings.script_deadline_s)
    return json_response(written.model_dump(mode="json"))


ROUTES = [route("POST", "/", _write)]


@functions_framework.http
def scripts(request: flask.Request) -> flask.Response:
    return dispatch(request, "/api/scripts", ROUTES)
