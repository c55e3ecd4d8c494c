"""HTTP function ``jobs``: create, list, get, delete, cancel / pause / resume, rate, comment.

Every route acts as the signed-in user; another user's job answers 404 like a missing one.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from typing import Any

import flask
import functions_framework
from pydantic import BaseModel, ConfigDict, Field

from functions.http_deps import pipeline
from functions.http_util import Call, dispatch, json_response, route
from functions.storage_links import browser_link
from shared.errors import NotFound
from shared.jobs import EnginePreference, Job
from shared.library.sources import check_sources
from shared.pipeline import job_deletion, services, user_caps
from shared.pipeline.made_tracks import MusicOptions, VoiceOptions
from shared.plain_text import Lines, OneLine
from shared.ports import JobStore
from shared.scripts.brief import ScriptBrief
from shared.timeline import parse_timeline
from shared.timeline.model import MAX_SCRIPT_CHARS
from shared.timeline.validate import MAX_TIMELINE_BYTES

_ID = r"^[A-Za-z0-9_-]+$"  # pydantic's (Rust) regex: "$" is the very end, not before a "\n"


class CreateJobBody(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    brand_name: OneLine = Field(min_length=1, max_length=200)
    timeline: dict[str, Any]
    engine: EnginePreference = EnginePreference.AUTO
    idempotency_key: str | None = Field(default=None, min_length=8, max_length=64, pattern=_ID)
    script: Lines | None = Field(default=None, max_length=MAX_SCRIPT_CHARS)
    brief: ScriptBrief | None = None  # the script chain writes the voiceover from it
    voice: VoiceOptions | None = None  # for the voice made from ``script``
    music: MusicOptions | None = None  # for the music made when the timeline has none


class RatingBody(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    rating: int = Field(ge=1, le=5, strict=True)


class CommentBody(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    comment: Lines = Field(max_length=2000)


def job_json(call: Call, job: Job, *, full: bool) -> dict[str, Any]:
    """The job as the editor sees it; ``full`` adds the timeline and download links."""
    body = job.model_dump(mode="json", exclude={"timeline"} if not full else set())
    if full and job.output is not None:
        renders = call.deps.renders
        links = {}
        for key, uri in (
            ("video_url", job.output.video_uri),
            ("poster_url", job.output.poster_uri),
        ):
            prefix = f"gs://{renders.bucket}/"
            if uri and uri.startswith(prefix):
                name = uri.removeprefix(prefix)
                url = renders.signed_get_url(name, download_name=f"{job.job_id}-{key[:-4]}")
                links[key] = browser_link(call, url)
        body["download"] = links
    return body


def _job_id(uid: str, idempotency_key: str | None) -> str:
    if idempotency_key is None:
        return uuid.uuid4().hex
    # Per user: the same key from two users makes two jobs.
    return hashlib.sha256(f"{uid}\x00{idempotency_key}".encode()).hexdigest()[:32]


def _request_hash(body: BaseModel) -> str:
    """The body's fingerprint: a retry with the same Idempotency-Key must send the same body."""
    canonical = json.dumps(body.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _exists(jobs: JobStore, job_id: str, uid: str) -> bool:
    try:
        jobs.get_for_user(job_id, uid)
    except NotFound:
        return False
    return True


def _create(call: Call) -> flask.Response:
    uid = call.uid()
    body = call.body(CreateJobBody, max_bytes=MAX_TIMELINE_BYTES + 64 * 1024)
    timeline = parse_timeline(body.timeline)
    ports = pipeline()
    check_sources(timeline, uid, call.deps.library.media)
    job_id = _job_id(uid, body.idempotency_key)
    if body.idempotency_key is None or not _exists(ports.jobs, job_id, uid):
        # A retry of a job already made is not one more job: it gets its job back, not a 429.
        user_caps.check_room(ports.jobs.live_for_user(uid), timeline.duration_ms, ports.settings)
    job = services.submit_job(
        uid=uid, brand_name=body.brand_name, timeline=timeline, engine=body.engine,
        job_id=job_id, jobs=ports.jobs, pipelines=ports.pipelines,
        bus=ports.bus, settings=ports.settings, now=call.now, script=body.script,
        brief=body.brief, voice=body.voice, music=body.music,
        request_hash=_request_hash(body),
    )  # fmt: skip
    return json_response({"job": job_json(call, job, full=False)}, 202)


def _list(call: Call) -> flask.Response:
    uid = call.uid()
    try:
        limit = int(call.request.args.get("limit", "20"))
    except ValueError:
        limit = 0  # refused below with the allowed range
    cursor = call.request.args.get("cursor") or None
    page = pipeline().jobs.list_for_user(uid, limit=limit, cursor=cursor)
    jobs = [job_json(call, job, full=False) for job in page.jobs]
    return json_response({"jobs": jobs, "next_cursor": page.next_cursor})


def _get(call: Call) -> flask.Response:
    job = pipeline().jobs.get_for_user(call.params["job_id"], call.uid())
    return json_response({"job": job_json(call, job, full=True)})


def _control(action: str) -> Any:
    use_case = {
        "cancel": services.cancel_job,
        "pause": services.pause_job,
        "resume": services.resume_job,
    }[action]

    def handle(call: Call) -> flask.Response:
        ports = pipeline()
        job = use_case(
            job_id=call.params["job_id"], uid=call.uid(), jobs=ports.jobs, bus=ports.bus,
            settings=ports.settings, now=call.now,
        )  # fmt: skip
        return json_response({"job": job_json(call, job, full=False)})

    return handle


def _rate(call: Call) -> flask.Response:
    uid = call.uid()
    rating = call.body(RatingBody).rating
    job = pipeline().jobs.set_feedback(call.params["job_id"], uid, rating=rating)
    return json_response({"job": job_json(call, job, full=False)})


def _comment(call: Call) -> flask.Response:
    uid = call.uid()
    comment = call.body(CommentBody).comment
    job = pipeline().jobs.set_feedback(call.params["job_id"], uid, comment=comment)
    return json_response({"job": job_json(call, job, full=False)})


def _delete(call: Call) -> flask.Response:
    job_deletion.delete_job(job_id=call.params["job_id"], uid=call.uid(), ports=pipeline())
    return json_response({"deleted": call.params["job_id"]})


ROUTES = [
    route("POST", "/", _create),
    route("GET", "/", _list),
    route("GET", "/{job_id}", _get),
    route("DELETE", "/{job_id}", _delete),
    route("POST", "/{job_id}/cancel", _control("cancel")),
    route("POST", "/{job_id}/pause", _control("pause")),
    route("POST", "/{job_id}/resume", _control("resume")),
    route("POST", "/{job_id}/rating", _rate),
    route("POST", "/{job_id}/comment", _comment),
]


@functions_framework.http
def jobs(request: flask.Request) -> flask.Response:
    return dispatch(request, "/api/jobs", ROUTES)
