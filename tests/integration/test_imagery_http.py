"""AI stills and clips as queued work: ``POST /api/media/generate`` answers 202 with a pending
item, and a worker (here the cloud worker's real pull loop) fills it in from the message."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from functions.cloud_render import build_loop
from functions.http_deps import deps
from shared.imagery.request import GenerateRequest
from shared.imagery.service import Generator
from shared.imagery.submit import submit_generation
from shared.library.service import Library
from shared.localstack import RunningStack
from shared.localstack.gateway import Wsgi, build_app
from shared.pipeline.media_item import MediaStatus
from shared.pipeline.messages import Route
from shared.pipeline.ports import PipelineServices
from shared.settings import Secret, Settings
from tests.ai_servers.base import running as serving
from tests.ai_servers.gemini import GeminiServer
from tests.ai_servers.gemini_image import image_generated, png
from tests.integration.http_helpers import signed_in
from tests.integration.pipeline_env import pipeline_ports, running, wait_for, worker_loop

pytestmark = [pytest.mark.emulator, pytest.mark.ffmpeg]


@pytest.fixture(scope="module")
def app(stack: RunningStack) -> Iterator[Wsgi]:
    yield build_app()


def test_generate_answers_202_with_a_pending_item(app: Wsgi) -> None:
    browser = signed_in(app)
    answer = browser.post("/api/media/generate", {"kind": "image", "prompt": "a white studio"})
    assert answer.status_code == 202, answer.get_json()
    body = answer.get_json()
    assert body["status"] == "pending" and body["route"] == "cloud"  # no GPU box online
    media = body["media"]
    assert media["kind"] == "image" and media["prompt"] == "a white studio"
    assert media["generation"]["kind"] == "image" and "url" not in media


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "song", "prompt": "x"}, "kind"),
        ({"kind": "clip", "prompt": ""}, "prompt"),
        ({"kind": "clip", "prompt": "x", "duration_s": "4"}, "duration_s"),  # strict: a number
        ({"kind": "clip", "prompt": "x", "source": "gs://bucket/a.png"}, "source"),
    ],
)
def test_generate_refuses_bad_requests_with_json(
    app: Wsgi, body: dict[str, object], field: str
) -> None:
    answer = signed_in(app).post("/api/media/generate", body)
    assert answer.status_code == 400
    assert answer.get_json()["error"] and field in answer.get_json()["message"]


def test_an_unknown_source_photo_is_404(app: Wsgi) -> None:
    answer = signed_in(app).post(
        "/api/media/generate", {"kind": "clip", "prompt": "x", "source": "media:nope"}
    )
    assert answer.status_code == 404 and answer.get_json()["error"]


@pytest.fixture
def gemini() -> Iterator[GeminiServer]:
    with serving(GeminiServer()) as server:
        assert isinstance(server, GeminiServer)
        yield server


@pytest.fixture
def ports(settings: Settings, gemini: GeminiServer) -> Iterator[PipelineServices]:
    with pipeline_ports(settings) as base:
        keyed = dataclasses.replace(
            base.settings, gemini_api_key=Secret("k"), gemini_base_url=gemini.url
        )
        yield dataclasses.replace(base, settings=keyed)


def test_the_cloud_worker_fills_the_item_from_the_message(
    ports: PipelineServices, gemini: GeminiServer
) -> None:
    gemini.answer(image_generated(png((256, 144))))
    library = Library(deps().library.media, ports.media_files)
    generator = Generator(library, ports.settings, models=None)
    body = GenerateRequest(kind="image", prompt="a coffee cup")
    item, route = submit_generation(
        generator, ports.bus, ports.online, "alice", body, datetime.now(UTC)
    )
    assert route is Route.CLOUD
    cloud = build_loop(ports, "cloud-gen", pull_timeout_s=1.0)
    with running(worker_loop(cloud)):
        done = wait_for(
            "the item to be made",
            lambda: (i := library.media.get(item.media_id)).status is not MediaStatus.PENDING and i,
            timeout_s=60,
        )
    assert done.status is MediaStatus.READY, done.error
    assert (done.width, done.height) == (256, 144) and done.made_by == "Gemini image"
    assert library.blobs.exists(done.thumb_object_name)
