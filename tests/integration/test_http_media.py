"""The media library over HTTP: signed upload, server-side validation, list, delete, ownership."""

from __future__ import annotations

import dataclasses
import io
import wave
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from PIL import Image

from functions.http_deps import deps
from shared.errors import Conflict
from shared.library.policy import LibraryLimits
from shared.localstack import RunningStack
from shared.localstack.gateway import Wsgi, build_app
from tests.integration.http_helpers import (
    Browser,
    fetch,
    jpeg_bytes,
    png_bytes,
    put_upload,
    ready_photo,
    signed_in,
    upload,
)

pytestmark = pytest.mark.emulator


@pytest.fixture(scope="module")
def app(stack: RunningStack) -> Iterator[Wsgi]:
    yield build_app()


def objects(uid: str) -> list[str]:
    """Every object of ``uid`` in the media bucket (uploads, library, thumbnails)."""
    bucket = deps().clients.storage.bucket(deps().settings.media_bucket)
    return [
        blob.name
        for prefix in (f"uploads/{uid}/", f"library/{uid}/", f"thumbs/{uid}/", f"previews/{uid}/")
        for blob in bucket.list_blobs(prefix=prefix)
    ]


def docs(uid: str) -> list[str]:
    return [item.media_id for item in deps().library.list_items(uid)]


def uid_of(browser: Browser) -> str:
    return str(browser.get("/api/auth/me").get_json()["uid"])


def wav_bytes(seconds: float = 0.5) -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(48_000)
        w.writeframes(b"\x10\x00" * int(48_000 * seconds))
    return out.getvalue()


def test_photo_upload_register_list_delete(app: Wsgi) -> None:
    browser = signed_in(app)
    uid = uid_of(browser)
    exif = Image.Exif()
    exif[0x0112] = 6  # rotated: stored upright, metadata gone
    exif[0x010F] = "Camera Maker"
    raw = io.BytesIO()
    Image.new("RGB", (2000, 1000), "red").save(raw, "JPEG", exif=exif)
    media_id = upload(browser, raw.getvalue(), "image/jpeg", filename="../../etc/Shop front.jpg")
    assert docs(uid) == [media_id]
    registered = browser.post(f"/api/media/{media_id}/register")
    assert registered.status_code == 200, registered.get_json()
    media = registered.get_json()["media"]
    assert media["status"] == "ready" and media["source"] == f"media:{media_id}"
    assert (media["width"], media["height"]) == (1000, 2000)
    assert media["filename"] == "Shop front.jpg" and "object_name" not in media
    assert not any(key.endswith("object_name") for key in media)
    # Same-origin links (local mode), each an upright JPEG without metadata, of its size.
    sizes = {"url": (1000, 2000), "preview_url": (640, 1280), "thumb_url": (160, 320)}
    for key, size in sizes.items():
        assert media[key].startswith(f"http://localhost/storage/{deps().settings.media_bucket}/")
        status, data = fetch("GET", media[key])
        assert status == 200, key
        with Image.open(io.BytesIO(data)) as im:
            assert im.format == "JPEG" and im.size == size and not im.getexif(), key
    assert sorted(objects(uid)) == sorted(  # the raw upload is gone
        f"{folder}/{uid}/{media_id}.jpg" for folder in ("library", "thumbs", "previews")
    )
    again = browser.post(f"/api/media/{media_id}/register")
    assert again.get_json()["media"]["status"] == "ready"  # registering twice is harmless

    listed = browser.get("/api/media").get_json()["media"]
    assert [m["media_id"] for m in listed] == [media_id]

    assert browser.delete(f"/api/media/{media_id}").status_code == 200
    assert docs(uid) == [] and objects(uid) == []
    assert browser.delete(f"/api/media/{media_id}").status_code == 404


def test_audio_upload(app: Wsgi) -> None:
    browser = signed_in(app)
    media_id = upload(browser, wav_bytes(0.5), "audio/wav", filename="voice.wav")
    media = browser.post(f"/api/media/{media_id}/register").get_json()["media"]
    assert media["kind"] == "audio" and media["status"] == "ready"
    assert media["duration_ms"] == 500
    assert "thumb_url" not in media and "preview_url" not in media  # audio: no thumbnails
    assert fetch("GET", media["url"]) == (200, wav_bytes(0.5))  # kept as sent, byte for byte


def test_another_users_media_is_404(app: Wsgi) -> None:
    owner, other = signed_in(app), signed_in(app)
    media_id = ready_photo(owner)
    pending = upload(owner, jpeg_bytes(), "image/jpeg")
    for target in (media_id, pending):
        assert other.post(f"/api/media/{target}/register").status_code == 404
        assert other.delete(f"/api/media/{target}").status_code == 404
    assert other.get("/api/media").get_json()["media"] == []
    assert sorted(docs(uid_of(owner))) == sorted([media_id, pending])


def test_register_before_upload_is_409_and_keeps_the_slot(app: Wsgi) -> None:
    browser = signed_in(app)
    answer = browser.post(
        "/api/media/uploads",
        {"filename": "a.jpg", "content_type": "image/jpeg", "size_bytes": 1000},
    )
    media_id = answer.get_json()["media_id"]
    refused = browser.post(f"/api/media/{media_id}/register")
    assert refused.status_code == 409
    assert "nothing has been uploaded" in refused.get_json()["message"]
    assert docs(uid_of(browser)) == [media_id]


def test_signed_upload_binds_type_and_exact_size(app: Wsgi) -> None:
    browser = signed_in(app)
    answer = browser.post(
        "/api/media/uploads",
        {"filename": "a.png", "content_type": "image/png", "size_bytes": 1234},
    ).get_json()
    upload_spec = answer["upload"]
    assert upload_spec["method"] == "PUT"
    assert upload_spec["headers"] == {
        "Content-Type": "image/png",
        "x-goog-content-length-range": "1234,1234",
    }
    signed = upload_spec["url"].lower()
    assert "content-type" in signed and "x-goog-content-length-range" in signed
    assert "x-goog-expires=900" in signed  # 15 minutes at most


REFUSED_UPLOADS = [
    ("evil.svg", "image/svg+xml", 100, 400, "not accepted"),
    ("anim.gif", "image/gif", 100, 400, "not accepted"),
    ("run.sh", "text/x-shellscript", 100, 400, "not accepted"),
    ("a.jpg", "image/jpeg", 0, 400, "positive"),
    ("a.jpg", "image/jpeg", -5, 400, "positive"),
    ("a.jpg", "image/jpeg", 10**12, 413, "at most"),
    ("\x00\x01", "image/jpeg", 100, 400, "filename"),
]


@pytest.mark.parametrize(("filename", "content_type", "size", "status", "words"), REFUSED_UPLOADS)
def test_upload_request_refused_before_any_url(
    app: Wsgi, filename: str, content_type: str, size: int, status: int, words: str
) -> None:
    browser = signed_in(app)
    answer = browser.post(
        "/api/media/uploads",
        {"filename": filename, "content_type": content_type, "size_bytes": size},
    )
    assert answer.status_code == status, answer.get_json()
    assert words in answer.get_json()["message"]
    assert docs(uid_of(browser)) == []


def _bomb(side: int) -> bytes:
    out = io.BytesIO()
    Image.new("1", (side, side)).save(out, "PNG")
    return out.getvalue()


def _text_as_jpeg() -> bytes:
    return b"<?php system($_GET['c']); ?>\n" * 20


REFUSED_FILES = [
    ("text as jpeg", "image/jpeg", _text_as_jpeg, None, "not a photo"),
    ("png declared jpeg", "image/jpeg", png_bytes, None, "PNG, not image/jpeg"),
    ("64 MP png", "image/png", lambda: _bomb(8000), None, "pixels"),
    ("400 MP png bomb", "image/png", lambda: _bomb(20000), None, "too many pixels"),
    ("half a jpeg", "image/jpeg", lambda: jpeg_bytes((400, 300))[:300], None, "damaged"),
    ("jpeg as audio", "audio/wav", jpeg_bytes, None, "not audio"),
    ("wav declared mp3", "audio/mpeg", wav_bytes, None, "wav, not audio/mpeg"),
    ("more bytes than declared", "image/jpeg", jpeg_bytes, 10, "not the"),
]


@pytest.mark.parametrize(
    ("label", "content_type", "make", "extra", "words"),
    REFUSED_FILES,
    ids=[r[0] for r in REFUSED_FILES],
)
def test_registration_refuses_and_removes_bad_files(
    app: Wsgi, label: str, content_type: str, make: object, extra: int | None, words: str
) -> None:
    browser = signed_in(app)
    uid = uid_of(browser)
    data: bytes = make()  # type: ignore[operator]
    declared = len(data) - (extra or 0)
    answer = browser.post(
        "/api/media/uploads",
        {"filename": "upload.bin", "content_type": content_type, "size_bytes": declared},
    ).get_json()
    # The emulator checks neither signature nor length (GCS would refuse a wrong length at PUT).
    assert put_upload(answer["upload"], data) == 200
    refused = browser.post(f"/api/media/{answer['media_id']}/register")
    assert refused.status_code == 422, refused.get_json()
    assert words in refused.get_json()["message"]
    assert docs(uid) == [] and objects(uid) == []  # nothing of it is left


def test_quota_counts_live_items_and_frees_abandoned_uploads(app: Wsgi) -> None:
    browser = signed_in(app)
    uid = uid_of(browser)
    library = dataclasses.replace(deps().library, limits=LibraryLimits(max_items=2))
    now = datetime.now(UTC)
    for _ in range(2):
        library.request_upload(uid, "a.jpg", "image/jpeg", 100, now)
    with pytest.raises(Conflict, match="full"):
        library.request_upload(uid, "a.jpg", "image/jpeg", 100, now)
    assert len(docs(uid)) == 2
    later = now + timedelta(seconds=library.limits.pending_ttl_s + 1)
    item, _ = library.request_upload(uid, "b.jpg", "image/jpeg", 100, later)
    assert docs(uid) == [item.media_id]  # the two abandoned slots are gone
