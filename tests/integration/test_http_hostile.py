"""Malformed and hostile requests: each gets a clear 4xx and writes nothing.

One signed-in user (with one ready photo) sends every case; another user owns a photo and a
job. After each case the first user still has no job, the same single library item and the same
objects, and the other user's job is untouched.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import flask
import pytest
from google.api_core import exceptions as gexc

from functions.http_deps import deps, pipeline
from functions.http_util import Call, dispatch, route
from shared.localstack import RunningStack
from shared.localstack.gateway import Wsgi, build_app
from tests.integration.http_helpers import (
    Browser,
    ad_timeline,
    jpeg_bytes,
    put_upload,
    ready_photo,
    signed_in,
    upload,
)

pytestmark = pytest.mark.emulator


@dataclass
class World:
    app: Wsgi
    me: Browser
    uid: str
    photo: str
    other: Browser
    their_photo: str
    their_job: str
    ids: dict[str, str] = field(default_factory=dict)


@pytest.fixture(scope="module")
def world(stack: RunningStack) -> Iterator[World]:
    app = build_app()
    me, other = signed_in(app, "hostile"), signed_in(app, "victim")
    photo, their_photo = ready_photo(me), ready_photo(other)
    answer = other.post(
        "/api/jobs", {"brand_name": "Theirs", "timeline": ad_timeline(f"media:{their_photo}")}
    )
    uid = me.get("/api/auth/me").get_json()["uid"]
    yield World(app, me, uid, photo, other, their_photo, answer.get_json()["job"]["job_id"])


def _objects(uid: str) -> list[str]:
    bucket = deps().clients.storage.bucket(deps().settings.media_bucket)
    return sorted(
        b.name for p in ("uploads/", "library/") for b in bucket.list_blobs(prefix=f"{p}{uid}/")
    )


def _job(body: dict[str, Any] | None = None, **timeline: Any) -> dict[str, Any]:
    """A create-job body: ``body`` overrides fields, ``timeline`` fields override the timeline."""
    return {"brand_name": "Shop", "timeline": {**ad_timeline("{P}"), **timeline}, **(body or {})}


@dataclass(frozen=True)
class Case:
    label: str
    method: str
    path: str
    body: Any = None  # JSON (placeholders {P}, {Q}, {J} filled in) or raw bytes
    status: int = 400
    words: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/json"
    cookie: str | None = None  # replaces the session cookie when set


def _source(source: str) -> dict[str, Any]:
    return _job(video=[{"kind": "photo", "source": source, "duration_ms": 1000}])


NESTED = b"[" * 5000 + b"]" * 5000
CASES = [
    Case("bad json", "POST", "/api/jobs", b'{"brand_name": "x",', words="not valid JSON"),
    Case("json array", "POST", "/api/jobs", b"[1, 2]", words="JSON object"),
    Case("json NaN", "POST", "/api/jobs/{J}/rating", b'{"rating": NaN}', words="not a number"),
    Case("deep nesting", "POST", "/api/jobs", NESTED, words="nested too deeply"),
    Case(
        "invalid utf-8", "POST", "/api/jobs", b'{"brand_name": "\xc3\x28"}', words="not valid JSON"
    ),
    Case("brand wrong type", "POST", "/api/jobs", _job({"brand_name": 5}), words="brand_name"),
    Case("timeline string", "POST", "/api/jobs", _job({"timeline": "{}"}), words="timeline"),
    Case("engine unknown", "POST", "/api/jobs", _job({"engine": "gpu-only"}), words="engine"),
    Case("unknown field", "POST", "/api/jobs", _job({"priority": 1}), words="priority"),
    Case("brand too long", "POST", "/api/jobs", _job({"brand_name": "B" * 201}), words="brand"),
    Case(
        "brand control", "POST", "/api/jobs", _job({"brand_name": "a\x00b\x1b[2J"}), words="brand"
    ),
    Case(
        "idempotency path",
        "POST",
        "/api/jobs",
        _job({"idempotency_key": "../../jobs/x"}),
        words="idempotency_key",
    ),
    Case(
        "body too large",
        "POST",
        "/api/jobs",
        _job({"brand_name": "x" * 3_000_000}),
        413,
        "larger than",
    ),
    Case("no clips", "POST", "/api/jobs", _job(video=[]), words="video"),
    Case("timeline extra", "POST", "/api/jobs", _job(shell="rm -rf /"), words="shell"),
    Case("schema v2", "POST", "/api/jobs", _job(schema_version=2), words="schema_version"),
    Case(
        "duration string",
        "POST",
        "/api/jobs",
        _job(video=[{"kind": "photo", "source": "{P}", "duration_ms": "1000; rm"}]),
        words="duration_ms",
    ),
    Case("parent path", "POST", "/api/jobs", _source("../../etc/passwd"), words="source"),
    Case(
        "relative path", "POST", "/api/jobs", _source("photos/a.jpg"), words="not allowed over HTTP"
    ),
    Case("absolute path", "POST", "/api/jobs", _source("/etc/passwd"), words="source"),
    Case(
        "other bucket",
        "POST",
        "/api/jobs",
        _source("gs://victim-bucket/private.jpg"),
        words="not allowed over HTTP",
    ),
    Case(
        "metadata url",
        "POST",
        "/api/jobs",
        _source("http://169.254.169.254/computeMetadata/v1/"),
        words="source",
    ),
    Case(
        "unknown media",
        "POST",
        "/api/jobs",
        _source("media:0123456789abcdef"),
        words="not in your library",
    ),
    Case("their media", "POST", "/api/jobs", _source("{Q}"), words="not in your library"),
    Case(
        "text control chars",
        "POST",
        "/api/jobs",
        _job(texts=[{"text": "hi\x07\x1b]0;pwn", "start_ms": 0, "end_ms": 900}]),
        words="control characters",
    ),
    Case(
        "text plain body",
        "POST",
        "/api/jobs",
        b"{}",
        415,
        "application/json",
        content_type="text/plain",
    ),
    Case(
        "form body",
        "POST",
        "/api/jobs/{J}/cancel",
        b"a=1",
        415,
        "application/json",
        content_type="application/x-www-form-urlencoded",
    ),
    Case(
        "cross site",
        "POST",
        "/api/jobs",
        _job(),
        403,
        "cross-site",
        headers={"Sec-Fetch-Site": "cross-site"},
    ),
    Case(
        "foreign origin",
        "POST",
        "/api/media/uploads",
        {},
        403,
        "evil.example",
        headers={"Origin": "https://evil.example"},
    ),
    Case("no cookie", "POST", "/api/jobs", _job(), 401, "sign in", cookie=""),
    Case(
        "forged cookie",
        "POST",
        "/api/jobs",
        _job(),
        401,
        "not valid",
        cookie="abc.9999999999.Zm9yZ2Vk",
    ),
    Case("limit too big", "GET", "/api/jobs?limit=1000", status=400, words="limit"),
    Case("limit not a number", "GET", "/api/jobs?limit=ten", status=400, words="limit"),
    Case("their cursor", "GET", "/api/jobs?cursor={J}", status=400, words="cursor"),
    Case("wrong method", "PUT", "/api/jobs", _job(), 405, "use"),
    Case("their job", "GET", "/api/jobs/{J}", status=404, words="not found"),
    Case("cancel their job", "POST", "/api/jobs/{J}/cancel", status=404, words="not found"),
    Case(
        "comment their job",
        "POST",
        "/api/jobs/{J}/comment",
        {"comment": "mine now"},
        404,
        "not found",
    ),
    Case("rating bool", "POST", "/api/jobs/{J}/rating", {"rating": True}, words="rating"),
    Case(
        "comment too long",
        "POST",
        "/api/jobs/{J}/comment",
        {"comment": "c" * 2001},
        words="comment",
    ),
    Case(
        "upload size string",
        "POST",
        "/api/media/uploads",
        {"filename": "a.jpg", "content_type": "image/jpeg", "size_bytes": "100"},
        words="size_bytes",
    ),
    Case(
        "upload name too long",
        "POST",
        "/api/media/uploads",
        {"filename": "a" * 300, "content_type": "image/jpeg", "size_bytes": 100},
        words="filename",
    ),
    Case(
        "upload extra field",
        "POST",
        "/api/media/uploads",
        {
            "filename": "a.jpg",
            "content_type": "image/jpeg",
            "size_bytes": 100,
            "object_name": "library/victim/x.jpg",
        },
        words="object_name",
    ),
    Case(
        "upload html",
        "POST",
        "/api/media/uploads",
        {"filename": "a.html", "content_type": "text/html", "size_bytes": 100},
        words="not accepted",
    ),
    Case(
        "register their media", "POST", "/api/media/{Qid}/register", status=404, words="not found"
    ),
    Case("delete their media", "DELETE", "/api/media/{Qid}", status=404, words="not found"),
    Case(
        "register traversal",
        "POST",
        "/api/media/..%2F..%2Fx/register",
        status=404,
        words="no route",
    ),
    Case(
        "login huge password",
        "POST",
        "/api/auth/login",
        {"name": "a", "password": "p" * 20_000},
        413,
        "larger than",
    ),
    Case(
        "login name type",
        "POST",
        "/api/auth/login",
        {"name": ["admin"], "password": "x"},
        words="name",
    ),
]


def _fill(value: Any, world: World) -> Any:
    table = {
        "{P}": f"media:{world.photo}",
        "{Q}": f"media:{world.their_photo}",
        "{Qid}": world.their_photo,
        "{J}": world.their_job,
    }
    if isinstance(value, str):
        for key, replacement in table.items():
            value = value.replace(key, replacement)
        return value
    if isinstance(value, dict):
        return {k: _fill(v, world) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, world) for v in value]
    return value


def test_there_are_at_least_30_cases() -> None:
    assert len(CASES) >= 30
    assert len({c.label for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.label for c in CASES])
def test_hostile_request_gets_a_clear_4xx_and_writes_nothing(world: World, case: Case) -> None:
    before = (_objects(world.uid), pipeline().jobs.get(world.their_job))
    browser = world.me
    saved = browser.cookie()
    if case.cookie is not None:
        browser.client.set_cookie("__session", case.cookie)
    body = case.body if isinstance(case.body, bytes) else None
    if case.body is not None and body is None:
        body = json.dumps(_fill(case.body, world)).encode()
    try:
        response = browser.client.open(
            _fill(case.path, world),
            method=case.method,
            data=body,
            content_type=case.content_type,
            headers=case.headers,
            environ_base={"REMOTE_ADDR": browser.address},
        )
    finally:
        browser.client.set_cookie("__session", saved or "")
    answer = response.get_json()
    assert response.status_code == case.status, answer
    assert answer["error"] and case.words in answer["message"], answer
    assert len(answer["message"]) < 2000
    assert pipeline().jobs.list_for_user(world.uid).jobs == ()
    assert [m.media_id for m in deps().library.list_items(world.uid)] == [world.photo]
    assert (_objects(world.uid), pipeline().jobs.get(world.their_job)) == before


def test_same_origin_requests_pass_the_origin_check(world: World) -> None:
    """Browsers send Origin on same-origin POSTs too. Hosting's origins are a setting
    (CS_ALLOWED_ORIGINS, tests/unit/test_input_hardening.py): X-Forwarded-Host, which any client
    can send, never makes an origin ours."""
    for headers in ({"Origin": "http://localhost"}, {"Sec-Fetch-Site": "same-origin"}):
        answer = world.me.post("/api/media/uploads", {}, headers=headers)
        assert answer.status_code == 400, (headers, answer.get_json())  # past the check
    forged = {"Origin": "https://evil.example", "X-Forwarded-Host": "evil.example"}
    answer = world.me.post("/api/media/uploads", {}, headers=forged)
    assert answer.status_code == 403, answer.get_json()


def test_hostile_text_is_only_data(world: World) -> None:
    """Filter-graph and markup syntax in the brand and captions is stored verbatim, no more."""
    nasty = "Bob's [0:v]drawtext=text='%{pts}':enable=1,movie=/etc/passwd;<script>x</script>"
    voice = upload(world.other, _wav(), "audio/wav", filename="v.wav")
    world.other.post(f"/api/media/{voice}/register")
    timeline = ad_timeline(
        f"media:{world.their_photo}",
        texts=[{"text": nasty[:200], "start_ms": 0, "end_ms": 900}],
        voice={"source": f"media:{voice}", "script": nasty},
        captions={"enabled": True},
    )
    answer = world.other.post("/api/jobs", {"brand_name": nasty[:200], "timeline": timeline})
    assert answer.status_code == 202, answer.get_json()
    job = pipeline().jobs.get(answer.get_json()["job"]["job_id"])
    assert job.brand_name == nasty[:200]
    assert job.timeline is not None and job.timeline["voice"]["script"] == nasty


def _wav() -> bytes:
    from tests.integration.test_http_media import wav_bytes

    return wav_bytes(1.0)


def test_expired_upload_cannot_be_registered(world: World) -> None:
    """An upload slot whose URL expired long ago is refused and cleaned up on registration."""
    media_id = upload(world.me, jpeg_bytes(), "image/jpeg")
    later = datetime.now(UTC) + timedelta(seconds=deps().library.limits.pending_ttl_s + 1)
    with pytest.raises(Exception, match="not registered in time"):
        deps().library.register(world.uid, media_id, later)
    assert [m.media_id for m in deps().library.list_items(world.uid)] == [world.photo]
    assert f"uploads/{world.uid}/{media_id}.jpg" not in _objects(world.uid)


def test_forged_upload_url_puts_nothing_in_the_library(world: World) -> None:
    """A signed URL edited to write another object never yields a library item: registration
    looks only at the object the server named (GCS itself refuses the edited signature)."""
    answer = world.me.post(
        "/api/media/uploads",
        {"filename": "a.jpg", "content_type": "image/jpeg", "size_bytes": len(jpeg_bytes())},
    ).get_json()
    url = answer["upload"]["url"].replace(answer["media_id"], "forged-object")
    put_upload({**answer["upload"], "url": url}, jpeg_bytes())
    refused = world.me.post(f"/api/media/{answer['media_id']}/register")
    assert refused.status_code == 409
    world.me.delete(f"/api/media/{answer['media_id']}")
    assert [m.media_id for m in deps().library.list_items(world.uid)] == [world.photo]


def test_a_dependency_outage_is_a_503_json_answer(world: World) -> None:
    def down(call: Call) -> flask.Response:
        raise gexc.ServiceUnavailable("firestore restarting")

    app = flask.Flask("outage")
    with app.test_request_context("/api/jobs", method="GET"):
        response = dispatch(flask.request, "/api/jobs", [route("GET", "/", down)])
    assert response.status_code == 503
    assert response.get_json()["error"] == "unavailable"
