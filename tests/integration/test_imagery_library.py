"""Made stills and clips land in the person's library like uploads: validated, stored, with
thumbnails, ready (or failed, with why), on the Firestore and GCS emulators."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PIL import Image

from shared.adapters.clients import GoogleClients
from shared.adapters.firestore_media import FirestoreMediaLibrary
from shared.adapters.gcs_blobs import GcsBlobStore
from shared.errors import InvalidRequest, NotFound
from shared.imagery.request import GenerateRequest
from shared.imagery.service import Generator
from shared.library.service import Library
from shared.pipeline.media_item import MediaKindName, MediaStatus
from shared.settings import ImagerySettings, Secret, Settings
from shared.timeline.model import Quality
from tests.ai_servers.base import running
from tests.ai_servers.gemini import GeminiServer, error
from tests.ai_servers.gemini_image import image_generated, png

pytestmark = [pytest.mark.emulator, pytest.mark.ffmpeg]


@pytest.fixture
def gemini() -> Iterator[GeminiServer]:
    with running(GeminiServer()) as server:
        assert isinstance(server, GeminiServer)
        yield server


@pytest.fixture
def library(settings: Settings) -> Iterator[Library]:
    clients = GoogleClients(settings)
    yield Library(
        FirestoreMediaLibrary(clients.firestore),
        GcsBlobStore.from_clients(clients, settings.media_bucket),
    )
    clients.close()


def generator(library: Library, settings: Settings, gemini_url: str | None) -> Generator:
    keyed = dataclasses.replace(
        settings, gemini_api_key=Secret("k") if gemini_url else None, gemini_base_url=gemini_url,
        imagery=ImagerySettings(gemini_image_timeout_ms=5000),
    )  # fmt: skip
    return Generator(library, keyed, models=None, quality=Quality.PREVIEW)


def uid() -> str:
    return f"u{uuid.uuid4().hex[:12]}"


def make_image(gen: Generator, user: str, tmp_path: Path) -> str:
    body = GenerateRequest(kind="image", prompt="a white background")
    pending = gen.request(user, body, datetime.now(UTC))
    assert pending.status is MediaStatus.PENDING and pending.prompt == "a white background"
    return gen.fill(pending, body, tmp_path).media_id


def test_a_made_image_becomes_a_ready_photo_with_thumbnails(
    library: Library, settings: Settings, gemini: GeminiServer, tmp_path: Path
) -> None:
    gemini.answer(image_generated(png((300, 200))))
    user = uid()
    gen = generator(library, settings, gemini.url)
    item = library.media.get_for_user(make_image(gen, user, tmp_path), user)
    assert item.status is MediaStatus.READY and item.kind is MediaKindName.IMAGE
    assert (item.width, item.height, item.content_type) == (300, 200, "image/jpeg")
    assert item.made_by == "Gemini image" and item.warning.startswith("image: SDXL: no GPU box")
    for name in (item.object_name, item.thumb_object_name, item.preview_object_name):
        assert library.blobs.exists(name)
    stored = library.blobs.download_file(item.object_name, tmp_path / "stored.jpg")
    with Image.open(stored) as image:
        assert image.format == "JPEG" and image.size == (300, 200)
    assert not library.blobs.exists(f"uploads/{user}/{item.media_id}.png")  # staging removed


def test_no_way_to_make_an_image_leaves_the_item_failed_with_why(
    library: Library, settings: Settings, gemini: GeminiServer, tmp_path: Path
) -> None:
    gemini.answer(error(500))
    user = uid()
    item = library.media.get_for_user(
        make_image(generator(library, settings, gemini.url), user, tmp_path), user
    )
    assert item.status is MediaStatus.FAILED
    assert "Gemini image: gemini-2.5-flash-image answered HTTP 500" in item.error
    assert item.error.endswith("use one of your own photos")


def test_a_clip_from_a_library_photo_lands_as_video(
    library: Library, settings: Settings, gemini: GeminiServer, tmp_path: Path
) -> None:
    gemini.answer(image_generated(png((320, 180))))
    user = uid()
    gen = generator(library, settings, gemini.url)
    photo = make_image(gen, user, _mkdir(tmp_path / "image"))
    body = GenerateRequest(
        kind="clip", prompt="slow push in", source=f"media:{photo}", duration_s=1
    )
    pending = gen.request(user, body, datetime.now(UTC))
    assert pending.kind is MediaKindName.VIDEO
    gen.fill(pending, body, _mkdir(tmp_path / "clip"))
    item = library.media.get_for_user(pending.media_id, user)
    assert item.status is MediaStatus.READY and item.content_type == "video/mp4"
    assert item.made_by == "Ken Burns" and "Veo: CS_VEO_MODEL is not set" in item.warning
    assert item.duration_ms == 1000 and item.width > item.height
    assert library.blobs.exists(item.thumb_object_name)
    again = gen.fill(item, body, tmp_path)  # a redelivered fill keeps the finished item
    assert again == item


def _mkdir(path: Path) -> Path:
    path.mkdir(exist_ok=True)
    return path


def test_a_clip_source_must_be_the_persons_ready_photo(
    library: Library, settings: Settings, gemini: GeminiServer, tmp_path: Path
) -> None:
    gemini.answer(image_generated(png()))
    owner = uid()
    gen = generator(library, settings, gemini.url)
    photo = make_image(gen, owner, tmp_path)
    clip = GenerateRequest(kind="clip", prompt="move", source=f"media:{photo}")
    with pytest.raises(NotFound):
        gen.request("someone-else", clip, datetime.now(UTC))
    with pytest.raises(InvalidRequest, match="only a clip"):
        gen.request(owner, GenerateRequest(kind="image", prompt="x", source=f"media:{photo}"),
                    datetime.now(UTC))  # fmt: skip
    pending = gen.request(owner, GenerateRequest(kind="clip", prompt="x"), datetime.now(UTC))
    with pytest.raises(InvalidRequest, match="ready photo"):
        gen.request(owner, GenerateRequest(kind="clip", prompt="x", source=pending.source),
                    datetime.now(UTC))  # fmt: skip
