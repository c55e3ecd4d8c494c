"""The still and clip chains for real: tiny random-weight SDXL / Wan loaded from disk through
the production loaders, Gemini image and Veo through google-genai against local servers, Ken
Burns and the normalising through the renderer (FFmpeg)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image

from gpu_subscriber.models import ModelManager
from shared.chains import ChainExhausted
from shared.imagery.clip import ClipRequest, make_clip
from shared.imagery.motion import normalised
from shared.imagery.still import NONE_CREDIT, StillRequest, make_still
from shared.render.media.probe import probe_streams
from shared.settings import ImagerySettings, Secret, Settings
from shared.timeline.model import Aspect, Quality
from shared.usage import Allowance
from tests.ai_servers import vertex_server as vertex
from tests.ai_servers.base import malformed, running, slow
from tests.ai_servers.gemini import GeminiServer, error
from tests.ai_servers.gemini_image import image_generated, png, text_only
from tests.imagery_tiny import save_tiny_sdxl, save_tiny_wan_i2v, save_tiny_wan_t2v
from tests.pipeline_fakes import InMemoryUsageMeter

pytestmark = [
    pytest.mark.ffmpeg,
    # diffusers' Euler scheduler builds a numpy array from a tensor the NumPy 2 way it warns about
    pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning"),
]


@pytest.fixture(scope="session")
def models_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import torch

    torch.set_num_threads(1)
    root = tmp_path_factory.mktemp("models")
    save_tiny_sdxl(root / "sdxl")
    save_tiny_wan_t2v(root / "wan-t2v")
    save_tiny_wan_i2v(root / "wan-i2v")
    return root


@pytest.fixture(scope="session")
def models(models_dir: Path) -> ModelManager:
    return ModelManager(models_dir, vram_budget_mb=200_000, device=lambda: "cpu")


@pytest.fixture
def gemini() -> Iterator[GeminiServer]:
    with running(GeminiServer()) as server:
        assert isinstance(server, GeminiServer)
        yield server


@pytest.fixture
def veo() -> Iterator[vertex.VertexServer]:
    with running(vertex.VertexServer()) as server:
        assert isinstance(server, vertex.VertexServer)
        yield server


def settings(
    gemini_url: str | None = None, veo_url: str | None = None, veo_deadline_s: int = 20
) -> Settings:
    return Settings(
        project_id="test-project", media_bucket="m", renders_bucket="r",
        gemini_api_key=Secret("test-key") if gemini_url else None, gemini_base_url=gemini_url,
        imagery=ImagerySettings(
            sdxl_steps=2, wan_steps=2, image_long_edge=64, clip_long_edge=32,
            gemini_image_timeout_ms=5000, veo_model="veo-test" if veo_url else None,
            vertex_location="us-central1", veo_base_url=veo_url,
            veo_access_token=Secret("local-token"), veo_poll_ms=20, veo_deadline_s=veo_deadline_s,
        ),
    )  # fmt: skip


def still_file(tmp_path: Path) -> Path:
    path = tmp_path / "photo.png"
    path.write_bytes(png((64, 40)))
    return path


def clip_request(tmp_path: Path, still: Path | None, duration_s: int = 1) -> ClipRequest:
    return ClipRequest(
        "a red shoe", still, Aspect.LANDSCAPE, 24, duration_s, tmp_path, Quality.PREVIEW
    )


# -- still chain -----------------------------------------------------------------------------


def test_sdxl_on_the_box_makes_the_still(tmp_path: Path, models: ModelManager) -> None:
    made = make_still(StillRequest("a red shoe", Aspect.LANDSCAPE, tmp_path), settings(), models)
    assert made.made_by == "SDXL" and made.warning is None
    assert made.value is not None
    with Image.open(made.value.path) as image:
        assert image.format == "PNG" and image.size == (64, 32)
    assert "sdxl" in models.loaded()


def test_without_a_box_gemini_makes_the_still(tmp_path: Path, gemini: GeminiServer) -> None:
    gemini.answer(image_generated(png()))
    made = make_still(
        StillRequest("a red shoe", Aspect.PORTRAIT, tmp_path), settings(gemini.url), None
    )
    assert made.made_by == "Gemini image" and made.value is not None
    assert made.warning is not None and made.warning.startswith("image: SDXL: no GPU box here")
    sent = gemini.received[0].json()
    assert sent["generationConfig"]["responseModalities"] == ["IMAGE"]
    assert sent["generationConfig"]["imageConfig"] == {"aspectRatio": "9:16"}
    assert gemini.received[0].path.endswith("/models/gemini-2.5-flash-image:generateContent")


@pytest.mark.parametrize(
    ("replies", "reason", "requests"),
    [
        ((error(429),), "HTTP 429 (RESOURCE_EXHAUSTED) 3 times", 3),
        ((error(500),), "HTTP 500 (INTERNAL)", 1),
        ((malformed(),), "not Gemini's JSON", 1),
        ((text_only(),), "no image", 1),
        ((image_generated(b"not a png at all"),), "does not open", 1),
    ],
)
def test_gemini_failing_leaves_no_still_with_a_warning(
    tmp_path: Path, gemini: GeminiServer, replies: tuple, reason: str, requests: int
) -> None:
    gemini.answer(*replies)
    made = make_still(
        StillRequest("a red shoe", Aspect.SQUARE, tmp_path), settings(gemini.url), None
    )
    assert made.value is None and made.made_by == "none"
    assert made.warning is not None
    assert reason in made.warning and made.warning.endswith(NONE_CREDIT)
    assert len(gemini.received) == requests


def test_no_box_and_no_key_says_so(tmp_path: Path) -> None:
    made = make_still(StillRequest("a cup", Aspect.SQUARE, tmp_path), settings(), None)
    assert made.value is None
    assert made.warning == (
        "image: SDXL: no GPU box here (this worker has no local models); "
        f"Gemini image: GEMINI_API_KEY is not set; {NONE_CREDIT}"
    )


# -- clip chain ------------------------------------------------------------------------------


def test_wan_animates_a_photo_on_the_box(tmp_path: Path, models: ModelManager) -> None:
    made = make_clip(clip_request(tmp_path, still_file(tmp_path)), settings(), models)
    assert made.made_by == "Wan 2.1" and made.warning is None and made.value.poster is None
    facts = probe_streams(made.value.path)
    assert facts.video is not None and (facts.video.width, facts.video.height) == (32, 16)
    assert "wan-i2v" in models.loaded()


def test_wan_makes_a_clip_from_text_and_it_is_normalised(
    tmp_path: Path, models: ModelManager
) -> None:
    made = make_clip(clip_request(tmp_path, None), settings(), models)
    assert made.made_by == "Wan 2.1"
    done = normalised(
        made.value.path, tmp_path / "clip.mp4", max_ms=1000, aspect=Aspect.PORTRAIT, fps=30,
        quality=Quality.PREVIEW,
    )  # fmt: skip
    facts = probe_streams(done.video_path)
    assert facts.video is not None and facts.video.fps == 30
    assert facts.video.height > facts.video.width and done.poster_path.exists()


def test_veo_answers_after_polling(tmp_path: Path, veo: vertex.VertexServer) -> None:
    video = _tiny_mp4(tmp_path)
    veo.answer(vertex.started(), vertex.running(), vertex.running(), vertex.video_done(video))
    request = clip_request(tmp_path, still_file(tmp_path), duration_s=5)
    made = make_clip(request, settings(veo_url=veo.url), None)
    assert made.made_by == "Veo" and made.value.path.read_bytes() == video
    assert made.warning is not None and made.warning.startswith("clip: Wan 2.1: no GPU box")
    start, *polls = veo.received
    assert start.path == (
        "/v1beta1/projects/test-project/locations/us-central1/publishers/google/models/"
        "veo-test:predictLongRunning"
    )
    assert start.headers["Authorization"] == "Bearer local-token"
    body = start.json()
    assert body["instances"][0]["prompt"] == "a red shoe"
    assert body["instances"][0]["image"]["mimeType"] == "image/png"
    assert body["parameters"]["durationSeconds"] == 4  # 5 s is not a Veo length: nearest
    assert len(polls) == 3 and all(p.path.endswith(":fetchPredictOperation") for p in polls)
    assert {p.json()["operationName"] for p in polls} == {vertex.OPERATION}


def _tiny_mp4(tmp_path: Path) -> bytes:
    from shared.imagery.motion import ken_burns

    done = ken_burns(
        still_file(tmp_path), tmp_path / "veo-answer.mp4", duration_ms=500,
        aspect=Aspect.LANDSCAPE, fps=24, quality=Quality.PREVIEW,
    )  # fmt: skip
    return done.video_path.read_bytes()


@pytest.mark.parametrize(
    ("replies", "reason"),
    [
        ((vertex.started(), vertex.failed(message="quota of the region")), "quota of the region"),
        ((vertex.started(), vertex.filtered("celebrity likeness")), "celebrity likeness"),
        ((error(429),), "HTTP 429"),
        ((vertex.started(), error(500)), "HTTP 500"),
        ((vertex.started(), slow(vertex.running(), 0.3)), "no video within 1 s"),
        ((malformed(),), "not Vertex's JSON"),
    ],
)
def test_veo_failing_falls_back_to_ken_burns(
    tmp_path: Path, veo: vertex.VertexServer, replies: tuple, reason: str
) -> None:
    veo.answer(*replies)
    request = clip_request(tmp_path, still_file(tmp_path))
    made = make_clip(request, settings(veo_url=veo.url, veo_deadline_s=1), None)
    assert made.made_by == "Ken Burns" and made.value.poster is not None
    assert made.warning is not None and reason in made.warning
    assert made.warning.endswith("a Ken Burns move on the still instead of an AI clip")
    facts = probe_streams(made.value.path)
    assert facts.video is not None and facts.video.fps == 24 and facts.duration_ms == 1000


def test_no_still_and_no_video_link_fails_with_every_reason(tmp_path: Path) -> None:
    with pytest.raises(ChainExhausted) as caught:
        make_clip(clip_request(tmp_path, None), settings(), None)
    assert "Veo: CS_VEO_MODEL is not set" in caught.value.message
    assert "Ken Burns: no still to move" in caught.value.message


def test_veo_is_not_called_past_the_owners_daily_seconds(
    tmp_path: Path, veo: vertex.VertexServer
) -> None:
    allowance = Allowance(InMemoryUsageMeter(), "alice", "veo-seconds", "seconds of Veo video", 6)
    assert allowance.take(4) is None  # an earlier clip today
    request = clip_request(tmp_path, still_file(tmp_path), duration_s=4)
    made = make_clip(request, settings(veo_url=veo.url), None, allowance=allowance)
    assert made.made_by == "Ken Burns" and veo.received == []
    assert made.warning is not None and (
        "Veo: your daily allowance of 6 seconds of Veo video is used up (4 used today, 4 more "
        "asked)" in made.warning
    ), made.warning
