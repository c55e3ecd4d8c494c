"""GcsBlobStore against the GCS emulator: objects, and signed PUT/GET URLs used over HTTP.

The emulator checks neither signatures nor the signed headers (notes §8.3): the signature and what
it binds are verified in tests/unit/test_signing.py; here the URLs are used end to end.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from shared.adapters.clients import GoogleClients
from shared.adapters.gcs_blobs import GcsBlobStore
from shared.adapters.signing import signer_from_settings
from shared.errors import InvalidRequest, NotFound, PayloadTooLarge
from shared.settings import Settings

pytestmark = pytest.mark.emulator

TTL_S = 300


@pytest.fixture
def blobs(settings: Settings) -> Iterator[GcsBlobStore]:
    clients = GoogleClients(settings)
    yield GcsBlobStore(
        clients.storage,
        settings.media_bucket,
        signer_from_settings(settings),
        default_ttl_s=TTL_S,
        max_upload_bytes=1000,
    )
    clients.close()


def test_upload_download_delete(
    blobs: GcsBlobStore, tmp_path: Path, unique: Callable[[str], str]
) -> None:
    name = f"uploads/{unique('u')}/photo.jpg"
    source = tmp_path / "in.bin"
    source.write_bytes(bytes(range(256)) * 40)

    assert not blobs.exists(name)
    assert blobs.upload_file(name, source, "image/jpeg") == f"gs://{blobs.bucket}/{name}"
    assert blobs.exists(name)
    copy = blobs.download_file(name, tmp_path / "out.bin")
    assert copy.read_bytes() == source.read_bytes()

    blobs.delete(name)
    assert not blobs.exists(name)
    blobs.delete(name)  # deleting twice is fine: cleanup is idempotent
    with pytest.raises(NotFound, match=name):
        blobs.download_file(name, tmp_path / "gone.bin")


def test_store_from_clients_follows_settings(settings: Settings) -> None:
    clients = GoogleClients(settings)
    blobs = GcsBlobStore.from_clients(clients, settings.renders_bucket)
    url = blobs.signed_get_url("renders/j/attempt-1.mp4")
    assert parse_qs(urlsplit(url).query)["X-Goog-Expires"] == [str(settings.signed_url_ttl_s)]
    assert urlsplit(url).path == f"/{settings.renders_bucket}/renders/j/attempt-1.mp4"
    clients.close()


def test_upload_bytes_round_trips(
    blobs: GcsBlobStore, tmp_path: Path, unique: Callable[[str], str]
) -> None:
    name = f"renders/{unique('job')}/attempt-1.json"
    blobs.upload_bytes(name, b'{"ok": true}', "application/json")
    assert blobs.download_file(name, tmp_path / "x.json").read_bytes() == b'{"ok": true}'


def test_signed_put_then_signed_get(blobs: GcsBlobStore, unique: Callable[[str], str]) -> None:
    name = f"uploads/{unique('u')}/clip.mp4"
    body = b"\x00\x00\x00\x18ftypmp42" + bytes(300)
    signed = blobs.signed_put_url(name, "video/mp4", len(body))

    query = parse_qs(urlsplit(signed.url).query)
    assert query["X-Goog-Algorithm"] == ["GOOG4-RSA-SHA256"]
    assert query["X-Goog-Expires"] == [str(TTL_S)]
    assert query["X-Goog-SignedHeaders"] == ["content-type;host;x-goog-content-length-range"]
    assert dict(signed.headers) == {
        "Content-Type": "video/mp4",
        "x-goog-content-length-range": f"{len(body)},{len(body)}",
    }

    put = requests.put(signed.url, data=body, headers=dict(signed.headers), timeout=30)
    assert put.status_code == 200, put.text
    assert blobs.exists(name)

    url = blobs.signed_get_url(name, ttl_s=60, download_name="My ad (final).mp4")
    assert parse_qs(urlsplit(url).query)["X-Goog-Expires"] == ["60"]
    got = requests.get(url, timeout=30)
    assert got.status_code == 200
    assert got.content == body
    assert got.headers["Content-Disposition"] == 'attachment; filename="My_ad_final_.mp4"'


@pytest.mark.parametrize(
    ("name", "content_type", "size", "ttl", "error", "match"),
    [
        ("a.mp4", "video/mp4", 0, None, InvalidRequest, "positive"),
        ("a.mp4", "video/mp4", 1001, None, PayloadTooLarge, "1000"),
        ("a.mp4", "video mp4", 10, None, InvalidRequest, "media type"),
        ("a.mp4", "video/mp4", 10, TTL_S + 1, InvalidRequest, "lifetime"),
        ("../etc/passwd", "text/plain", 10, None, InvalidRequest, "object name"),
    ],
)
def test_signed_put_refuses_bad_requests(
    blobs: GcsBlobStore,
    name: str,
    content_type: str,
    size: int,
    ttl: int | None,
    error: type[Exception],
    match: str,
) -> None:
    with pytest.raises(error, match=match):
        blobs.signed_put_url(name, content_type, size, ttl_s=ttl)
