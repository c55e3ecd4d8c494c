"""Bad input that used to get through (issue 13): trailing newlines past anchored patterns,
strings where numbers belong, control characters in text, a forged X-Forwarded-Host, path-like
page cursors, a password check skipped for malformed names, and FFmpeg's stderr in a job's
error. Each case is refused by name, or kept out of sight."""

from __future__ import annotations

import io
import json
import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import flask
import pytest
from pydantic import BaseModel

from functions.auth import LoginBody
from functions.http_util import CrossSiteRequest, check_cross_site, parse_body, route
from functions.jobs import CommentBody, CreateJobBody
from functions.media import UploadBody
from shared.errors import ConfigError, InvalidRequest
from shared.jobs import EnginePreference
from shared.logs import JsonFormatter
from shared.pipeline.executors import TaskContext
from shared.pipeline.messages import JobCreated, TaskCommand, TaskFailed, TaskFinished, TaskKind
from shared.pipeline.services import advance, submit_job
from shared.pipeline.worker import TaskWorker
from shared.ports import check_cursor
from shared.render.graph.plan import InputSpec, RenderPlan
from shared.render.run.runner import run_plan
from shared.settings import Settings
from shared.timeline.validate import parse_timeline
from tests.fakes import RecordingEventBus
from tests.pipeline_fakes import fake_services

APP = flask.Flask(__name__)


def timeline(**fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "video": [{"kind": "photo", "source": "media:abc", "duration_ms": 3000}],
        "texts": [{"text": "Hello", "start_ms": 0, "end_ms": 2000}],
    }
    return base | fields


def with_path(path: tuple[str | int, ...], value: Any) -> dict[str, Any]:
    data = timeline()
    target: Any = data
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return data


def refused(data: dict[str, Any], field: str) -> str:
    with pytest.raises(InvalidRequest) as caught:
        parse_timeline(data)
    assert field in caught.value.message, caught.value.message
    return caught.value.message


def body_of(model: type[Any], body: dict[str, Any]) -> Any:
    with APP.test_request_context(method="POST", data=json.dumps(body)) as ctx:
        return parse_body(ctx.request, model, 1 << 20)


# --- 3. a trailing newline passes no pattern -------------------------------------------------


@pytest.mark.parametrize(
    ("path", "value", "field"),
    [
        (("texts", 0, "style"), {"color": "#FFFFFF\n"}, "texts[0].style.color"),
        (("texts", 0, "style"), {"box_color": "#000000\n"}, "texts[0].style.box_color"),
        (("video", 0, "source"), "media:abc\n", "video[0].source"),
        (("video", 0, "source"), "gs://bucket/a.jpg\n", "video[0].source"),
        (("video", 0, "source"), "photos/a.jpg\n", "video[0].source"),
    ],
)
def test_a_trailing_newline_is_refused_in_the_timeline(
    path: tuple[str | int, ...], value: Any, field: str
) -> None:
    refused(with_path(path, value), field)


def test_a_route_id_with_a_newline_matches_no_route() -> None:
    found = route("GET", "/{job_id}", lambda call: flask.Response()).pattern
    assert found.match("/abc") is not None
    for bad in ("/abc\n", "/abc\n/", "/__x__", "/a.b", "/" + "a" * 129):
        assert found.match(bad) is None, bad


def test_a_trailing_newline_is_refused_in_api_bodies() -> None:
    key = {"brand_name": "Shop", "timeline": timeline(), "idempotency_key": "abcdefgh\n"}
    with pytest.raises(InvalidRequest, match="idempotency_key"):
        body_of(CreateJobBody, key)
    with pytest.raises(InvalidRequest, match="brand_name"):
        body_of(CreateJobBody, {"brand_name": "Shop\n", "timeline": timeline()})


# --- 6. a number is a JSON number ------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "value", "field"),
    [
        (("video", 0, "duration_ms"), "3000", "video[0].duration_ms"),
        (("video", 0, "duration_ms"), True, "video[0].duration_ms"),
        (("video", 0, "duration_ms"), 3000.0, "video[0].duration_ms"),
        (("texts", 0, "x"), "0.5", "texts[0].x"),
        (("texts", 0, "x"), True, "texts[0].x"),
        (("texts", 0, "start_ms"), False, "texts[0].start_ms"),
        (("texts", 0, "style"), {"box": 1}, "texts[0].style.box"),
        (("format",), {"fps": "30"}, "format.fps"),
    ],
)
def test_strings_and_booleans_are_not_numbers_in_the_timeline(
    path: tuple[str | int, ...], value: Any, field: str
) -> None:
    refused(with_path(path, value), field)


def test_strict_timeline_still_takes_enums_as_strings_and_ints_as_floats() -> None:
    parsed = parse_timeline(
        timeline(
            format={"aspect": "9:16", "fps": 25, "quality": "preview"},
            video=[
                {
                    "kind": "photo",
                    "source": "media:abc",
                    "duration_ms": 3000,
                    "fit": "crop",
                    "kenburns": {"motion": "pan_left", "focus_x": 1, "easing": "linear"},
                    "transition": {"type": "cut"},
                }
            ],
        )  # fmt: skip
    )
    clip = parsed.video[0]
    assert parsed.format.fps == 25 and clip.kenburns.focus_x == 1.0
    assert clip.kenburns.motion.value == "pan_left"


@pytest.mark.parametrize(
    ("model", "body", "field"),
    [
        (CreateJobBody, {"brand_name": 5, "timeline": {}}, "brand_name"),
        (CreateJobBody, {"brand_name": "B", "timeline": {}, "engine": 1}, "engine"),
        (CommentBody, {"comment": 5}, "comment"),
        (
            UploadBody,
            {"filename": "a.jpg", "content_type": "image/jpeg", "size_bytes": "9"},
            "size",
        ),
        (
            UploadBody,
            {"filename": "a.jpg", "content_type": "image/jpeg", "size_bytes": 9.0},
            "size",
        ),
        (LoginBody, {"name": 5, "password": "x"}, "name"),
    ],
)
def test_api_bodies_are_strict(model: type[Any], body: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidRequest, match=field):
        body_of(model, body)


class AnyBody(BaseModel):
    """A body model as a new route might write it, with no strictness of its own."""

    count: int = 1
    ratio: float = 0.5
    flag: bool = False
    engine: EnginePreference = EnginePreference.AUTO


@pytest.mark.parametrize(
    ("body", "field"),
    [({"count": "3"}, "count"), ({"count": True}, "count"), ({"ratio": "0.5"}, "ratio"),
     ({"ratio": True}, "ratio"), ({"flag": 1}, "flag"), ({"flag": "true"}, "flag")],
)  # fmt: skip
def test_every_body_is_parsed_strictly(body: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidRequest, match=field):
        body_of(AnyBody, body)
    parsed = body_of(AnyBody, {"count": 3, "ratio": 1, "flag": True, "engine": "local"})
    assert (parsed.count, parsed.ratio, parsed.flag, parsed.engine.value) == (3, 1.0, True, "local")


def test_api_bodies_still_take_enums_as_strings() -> None:
    body = body_of(CreateJobBody, {"brand_name": "B", "timeline": {}, "engine": "cloud"})
    assert body.engine is EnginePreference.CLOUD


# --- 9. control characters -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (timeline(name="Spring\x00sale"), "name"),
        (timeline(name="Spring\nsale"), "name"),
        (timeline(name="Spring\x85sale"), "name"),
        (with_path(("texts", 0, "text"), "Hi\x00"), "texts[0].text"),
        (with_path(("texts", 0, "text"), "Hi\x1b[2J"), "texts[0].text"),
        (
            timeline(
                voice={
                    "source": "media:v1",
                    "script": "Hi there",
                    "word_timings": [{"word": "Hi\x00", "start_ms": 0, "end_ms": 100}],
                }
            ),
            "voice.word_timings[0].word",
        ),
        (timeline(voice={"source": "media:v1", "script": "Hi\x00 there"}), "voice.script"),
    ],
)
def test_control_characters_are_refused_in_timeline_text(data: dict[str, Any], field: str) -> None:
    assert "control characters" in refused(data, field)


def test_newlines_and_tabs_stay_where_they_mean_something() -> None:
    parsed = parse_timeline(with_path(("texts", 0, "text"), "Big\nsale\tnow"))
    assert parsed.texts[0].text == "Big\nsale\tnow"
    assert body_of(CommentBody, {"comment": "good\nvery"}).comment == "good\nvery"


@pytest.mark.parametrize(
    ("model", "body", "field"),
    [
        (CreateJobBody, {"brand_name": "B\x00", "timeline": {}}, "brand_name"),
        (CreateJobBody, {"brand_name": "B", "timeline": {}, "script": "a\x00b"}, "script"),
        (CommentBody, {"comment": "nice\x00"}, "comment"),
        (
            UploadBody,
            {"filename": "a\x00.jpg", "content_type": "image/jpeg", "size_bytes": 9},
            "filename",
        ),
    ],
)
def test_control_characters_are_refused_in_api_text(
    model: type[Any], body: dict[str, Any], field: str
) -> None:
    with pytest.raises(InvalidRequest, match=f"{field}: .*control characters"):
        body_of(model, body)


# --- 11. the Origin check trusts no client's X-Forwarded-Host --------------------------------


def _origin_check(settings: Settings, headers: dict[str, str]) -> None:
    with APP.test_request_context(
        "/api/jobs", method="POST", base_url="https://fn.example.run.app", headers=headers,
        content_type="application/json", data="{}",
    ) as ctx:  # fmt: skip
        check_cross_site(ctx.request, settings)


EVIL = {"Origin": "https://evil.example", "X-Forwarded-Host": "evil.example"}


@pytest.mark.parametrize("local_mode", [True, False])
def test_a_forged_forwarded_host_does_not_pass_the_origin_check(local_mode: bool) -> None:
    settings = Settings(
        project_id="demo-x", media_bucket="m", renders_bucket="r", local_mode=local_mode,
        allowed_origins=("https://studio.example.com",),
    )  # fmt: skip
    with pytest.raises(CrossSiteRequest, match="evil.example"):
        _origin_check(settings, EVIL)
    _origin_check(settings, {"Origin": "https://studio.example.com"})  # the listed origin
    _origin_check(settings, {"Origin": "https://fn.example.run.app"})  # the one reached


def test_allowed_origins_are_read_and_checked() -> None:
    env = {"GOOGLE_CLOUD_PROJECT": "demo-x", "CS_ALLOWED_ORIGINS": "https://a.web.app/, http://b:8"}
    assert Settings.from_env(env).allowed_origins == ("https://a.web.app", "http://b:8")
    with pytest.raises(ConfigError, match="CS_ALLOWED_ORIGINS"):
        Settings.from_env(env | {"CS_ALLOWED_ORIGINS": "https://a.web.app/path"})


# --- 8. a page cursor is a job id ------------------------------------------------------------


@pytest.mark.parametrize("cursor", ["a/b", "..", ".", "__x__", "x" * 300, "a\nb", ""])
def test_path_like_cursors_are_refused(cursor: str) -> None:
    with pytest.raises(InvalidRequest, match="cursor"):
        check_cursor(cursor)


# --- 4. FFmpeg's stderr goes to the log, never to the job ------------------------------------


class FailingRender:
    """A render task that runs real FFmpeg on a filter graph it cannot parse."""

    def existing(self, ctx: TaskContext) -> dict[str, str] | None:
        return None

    def run(self, ctx: TaskContext) -> dict[str, str]:
        plan = RenderPlan(
            inputs=(InputSpec("testsrc2=s=64x64:r=25:d=0.5", ("-f", "lavfi")),),
            filter_graph="[0:v]scale=w=notanumber:h=-2,format=yuv420p[v]",
            output_args=("-map", "[v]", "-c:v", "mpeg4"),
            duration_ms=500, frame_count=12,
        )  # fmt: skip
        run_plan(plan, ctx.work_dir / "out.mp4")
        return {}

    def discard(self, ctx: TaskContext) -> None:
        pass


@pytest.mark.ffmpeg
def test_a_failed_render_shows_words_and_logs_ffmpegs_stderr(tmp_path: Path) -> None:
    ports = fake_services()
    bus = ports.bus
    assert isinstance(bus, RecordingEventBus)
    submit_job(
        uid="alice", brand_name="B", job_id="j1", engine=EnginePreference.AUTO,
        timeline=parse_timeline(timeline(texts=[])), jobs=ports.jobs, pipelines=ports.pipelines,
        bus=bus, settings=ports.settings, now=datetime.now(UTC),
    )  # fmt: skip
    advance(JobCreated(job_id="j1"), ports)
    advance(TaskFinished(job_id="j1", task="music", attempt=1, worker_id="w",
                         result={"uri": "gs://renders/m.wav"}), ports)  # fmt: skip
    worker = TaskWorker(
        ports, {TaskKind.RENDER: FailingRender()}, "w1", where="here", work_dir=tmp_path
    )
    logs = io.StringIO()
    handler = logging.StreamHandler(logs)
    handler.setFormatter(JsonFormatter())  # as deployed: the job id comes from the log context
    logging.getLogger("shared.pipeline.worker").addHandler(handler)
    try:
        for attempt in range(1, 4):  # every attempt fails; the third ends the job
            command = next(
                m for m in reversed(bus.messages("tasks-cloud"))
                if isinstance(m, TaskCommand) and m.task == "render"
            )  # fmt: skip
            assert command.attempt == attempt
            worker.handle(command)
            failed = [m for m in bus.messages("jobs") if isinstance(m, TaskFailed)][-1]
            advance(failed, ports)
    finally:
        logging.getLogger("shared.pipeline.worker").removeHandler(handler)
    job = ports.jobs.get("j1")
    shown = " ".join([job.error or "", *job.warnings, failed.error])
    assert job.status.value == "error" and "render" in (job.error or "")
    assert "FFmpeg exited with code" in shown and "try again" in shown
    for leak in ("notanumber", "0x", "@", "Error", "[Parsed"):
        assert leak not in shown, (leak, shown)
    entries = [json.loads(line) for line in logs.getvalue().splitlines()]
    logged = [e for e in entries if e.get("stderr_tail")]
    assert len(logged) == 3 and all(e["job_id"] == "j1" for e in logged), entries
    assert "notanumber" in logged[0]["stderr_tail"]
