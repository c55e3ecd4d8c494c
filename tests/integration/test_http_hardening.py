"""Issue 13 against the real gateway and emulators: every route of every HTTP function answers
malformed paths and query values with a JSON 4xx (never HTML, never a 5xx), a crash is a JSON
500, an idempotency key reused with another body is a 409, every failed login path runs the
password hash, and a JPEG cut short is refused even when it ends with an end-of-image marker."""

from __future__ import annotations

import dataclasses
import io
import sys
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import flask
import numpy as np
import pytest
from PIL import Image

import functions.main
from functions.http_deps import deps, pipeline
from functions.http_util import Route, dispatch, route
from shared.auth.passwords import verify_password
from shared.errors import Unauthenticated
from shared.localstack import RunningStack
from shared.localstack.gateway import ROUTES as PREFIXES
from shared.localstack.gateway import Wsgi, build_app
from tests.integration.http_helpers import (
    PASSWORD,
    Browser,
    ad_timeline,
    new_address,
    new_user,
    ready_photo,
    upload,
)

pytestmark = pytest.mark.emulator

BAD_SEGMENTS = [
    "..", ".", "__x__", "__", "a%2Fb", "%2E%2E", "%00", "a%0A", "%0A", "x" * 300, "%E9", "%ZZ",
    "a%20b", "%C3%BC", "{}", "-",
]  # fmt: skip
BAD_QUERIES = [
    "cursor=a/b", "cursor=..", "cursor=.", "cursor=__x__", "cursor=" + "x" * 3000,
    "cursor=a%0A", "cursor=%00", "limit=-1", "limit=1e9", "limit=%00", "limit=" + "9" * 40,
    "x=%ZZ", "cursor=a&cursor=b", "limit=true",
]  # fmt: skip


@dataclasses.dataclass
class World:
    app: Wsgi
    me: Browser
    name: str
    photo: str


@pytest.fixture(scope="module")
def world(stack: RunningStack) -> Iterator[World]:
    app = build_app()
    name = new_user("hardening")
    me = Browser(app)
    me.login(name)
    yield World(app, me, name, ready_photo(me))


def function_routes() -> list[tuple[str, Route]]:
    """(prefix, route) for every HTTP function the gateway serves, read from its module."""
    found = []
    for prefix, target in PREFIXES.items():
        module = sys.modules[getattr(functions.main, target).__module__]
        found += [(prefix, r) for r in module.ROUTES]
    return found


def _paths(prefix: str, template: Route) -> Iterator[str]:
    """The route's path with each malformed value in each ``{name}``, then plain with each
    malformed query string."""
    path = template.pattern.pattern.removeprefix("^").removesuffix("\\Z")
    names = list(template.pattern.groupindex)
    for bad in BAD_SEGMENTS if names else []:
        yield prefix + _fill(path, names, bad)
    for query in BAD_QUERIES:
        yield f"{prefix}{_fill(path, names, '0123456789abcdef')}?{query}"


def _fill(path: str, names: list[str], value: str) -> str:
    for name in names:
        start = path.index(f"(?P<{name}>")
        depth, end = 0, start
        while True:  # to the group's closing parenthesis
            depth += {"(": 1, ")": -1}.get(path[end], 0)
            if depth == 0:
                break
            end += 1
        path = path[:start] + value + path[end + 1 :]
    return path or "/"


def test_the_walk_covers_every_function() -> None:
    prefixes = {prefix for prefix, _ in function_routes()}
    assert {"/api/auth", "/api/jobs", "/api/media", "/api/status"} <= prefixes
    assert len(function_routes()) >= 12


def test_every_route_answers_malformed_input_with_a_json_4xx(world: World) -> None:
    problems = []
    count = 0
    for prefix, template in function_routes():
        for path in _paths(prefix, template):
            for signed_in in (True, False):
                browser = world.me if signed_in else Browser(world.app)
                if signed_in and world.me.get("/api/auth/me").status_code != 200:
                    world.me.login(world.name)  # a walked /logout signed us out
                response = browser.client.open(
                    path, method=template.method, data=b"{}", content_type="application/json",
                    environ_base={"REMOTE_ADDR": browser.address},
                )  # fmt: skip
                count += 1
                if response.status_code >= 500 or response.mimetype != "application/json":
                    what = (template.method, path[:120], signed_in, response.status_code)
                    problems.append((*what, response.get_data(as_text=True)[:200]))
    assert count > 300
    assert not problems, problems


def test_a_crashing_handler_is_a_json_500_without_its_details(world: World) -> None:
    def broken(call: Any) -> flask.Response:
        raise RuntimeError("secret internal detail at 0x7f00")

    with flask.Flask(__name__).test_request_context("/api/x/boom", method="GET") as ctx:
        response = dispatch(ctx.request, "/api/x", [route("GET", "/boom", broken)])
    assert response.status_code == 500 and response.mimetype == "application/json"
    body = response.get_json()
    assert body["error"] == "internal" and "0x7f00" not in body["message"]


@pytest.mark.parametrize(
    ("timeline", "field"),
    [
        ({"texts": [{"text": "Hi", "start_ms": 0, "end_ms": 900, "style": {"color": "#FFFFFF\n"}}]},
         "texts[0].style.color"),
        ({"name": "Sale\x00"}, "name"),
        ({"texts": [{"text": "Hi", "start_ms": 0, "end_ms": 900, "x": "0.5"}]}, "texts[0].x"),
    ],
)  # fmt: skip
def test_bad_timeline_values_are_refused_by_name(
    world: World, timeline: dict[str, Any], field: str
) -> None:
    body = {"brand_name": "B", "timeline": ad_timeline(f"media:{world.photo}", **timeline)}
    answer = world.me.post("/api/jobs", body)
    assert answer.status_code == 400, answer.get_json()
    assert field in answer.get_json()["message"]


def test_a_media_source_with_a_trailing_newline_is_refused(world: World) -> None:
    timeline = ad_timeline(f"media:{world.photo}\n")
    answer = world.me.post("/api/jobs", {"brand_name": "B", "timeline": timeline})
    assert answer.status_code == 400 and "video[0].source" in answer.get_json()["message"]


def test_a_number_in_a_string_is_refused(world: World) -> None:
    timeline = ad_timeline(f"media:{world.photo}")
    timeline["video"][0]["duration_ms"] = "3000"
    answer = world.me.post("/api/jobs", {"brand_name": "B", "timeline": timeline})
    assert answer.status_code == 400 and "video[0].duration_ms" in answer.get_json()["message"]


def test_an_idempotency_key_reused_with_another_body_is_a_409(world: World) -> None:
    key = uuid.uuid4().hex
    first = {"brand_name": "One", "timeline": ad_timeline(f"media:{world.photo}")}
    created = world.me.post("/api/jobs", first | {"idempotency_key": key})
    assert created.status_code == 202, created.get_json()
    again = world.me.post("/api/jobs", first | {"idempotency_key": key})
    assert again.status_code == 202
    assert again.get_json()["job"]["job_id"] == created.get_json()["job"]["job_id"]
    other = world.me.post("/api/jobs", first | {"brand_name": "Two", "idempotency_key": key})
    assert other.status_code == 409, other.get_json()
    assert other.get_json()["error"] == "idempotency_key_reused"
    job = pipeline().jobs.get(created.get_json()["job"]["job_id"])
    assert job.brand_name == "One"


def test_every_failed_login_runs_the_password_hash(world: World) -> None:
    calls: list[str | None] = []

    def counting(stored: str | None, password: str) -> bool:
        calls.append(stored)
        return verify_password(stored, password)

    auth = dataclasses.replace(deps().auth, verify=counting)
    now = datetime.now(UTC)
    for name, password in (
        ("../not a name", PASSWORD),  # fails the name pattern
        (f"nobody-{uuid.uuid4().hex[:8]}", PASSWORD),  # no such user
        (world.name, "wrong password, long enough"),  # wrong password
    ):
        before = len(calls)
        with pytest.raises(Unauthenticated):
            auth.login(name, password, new_address(), now)
        assert len(calls) == before + 1, name
    assert calls[:2] == [None, None] and calls[2] is not None


def _cut_jpeg() -> bytes:
    noise = (np.random.default_rng(1).random((480, 640, 3)) * 255).astype("uint8")
    out = io.BytesIO()
    Image.fromarray(noise).save(out, "JPEG", quality=90)
    whole = out.getvalue()
    return whole[: len(whole) // 2] + b"\xff\xd9"  # half the scan, then end-of-image


def test_a_jpeg_cut_in_half_with_an_end_marker_is_refused(world: World) -> None:
    media_id = upload(world.me, _cut_jpeg(), "image/jpeg", filename="half.jpg")
    answer = world.me.post(f"/api/media/{media_id}/register")
    assert answer.status_code == 422, answer.get_json()
    assert "damaged or incomplete" in answer.get_json()["message"]
    assert [m.media_id for m in deps().library.list_items(world.name)] == [world.photo]
