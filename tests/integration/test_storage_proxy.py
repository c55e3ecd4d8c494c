"""The gateway's /storage/ proxy: the browser's same-origin path to the storage emulator."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests
from PIL import Image
from werkzeug.test import Client

from functions.http_deps import deps
from shared.adapters.storage_urls import browser_url
from shared.localstack import Endpoint, RunningStack
from shared.localstack.api_client import ApiClient
from shared.localstack.gateway import Wsgi, build_app, gateway_service
from shared.localstack.net import free_port
from shared.localstack.storage_proxy import StorageProxy
from tests.integration.http_helpers import PASSWORD, jpeg_bytes, new_user, signed_in

pytestmark = pytest.mark.emulator


@pytest.fixture(scope="module")
def app(stack: RunningStack) -> Iterator[Wsgi]:
    yield build_app()


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


def test_signed_put_then_get_round_trips_byte_exact(app: Wsgi) -> None:
    browser = signed_in(app)
    data = os.urandom(3 * 1024 * 1024 + 17)  # several proxy chunks
    answer = browser.post(
        "/api/media/uploads",
        {"filename": "big.jpg", "content_type": "image/jpeg", "size_bytes": len(data)},
    ).get_json()
    upload = answer["upload"]
    media_bucket = deps().settings.media_bucket
    assert upload["url"].startswith(f"http://localhost/storage/{media_bucket}/uploads/")
    put = browser.client.put(path_of(upload["url"]), data=data, headers=upload["headers"])
    assert put.status_code == 200, put.get_data(as_text=True)

    name = urlsplit(upload["url"]).path.split(f"/{media_bucket}/", 1)[1]
    signed = deps().library.blobs.signed_get_url(name)
    link = browser_url(signed, deps().settings, "http://localhost")
    got = browser.client.get(path_of(link))
    assert got.status_code == 200 and got.get_data() == data
    assert got.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in got.headers["Content-Security-Policy"]
    head = browser.client.head(path_of(link))
    assert head.status_code == 200 and head.get_data() == b""
    browser.delete(f"/api/media/{answer['media_id']}")


def test_refused_requests(app: Wsgi) -> None:
    client = Client(app)
    settings = deps().settings
    media, renders = settings.media_bucket, settings.renders_bucket
    jpeg = {"Content-Type": "image/jpeg"}
    refused = [
        (client.options(f"/storage/{media}/uploads/a.jpg"), 405),
        (client.get("/storage/someone-elses-bucket/a.jpg"), 404),
        (client.put("/storage/someone-elses-bucket/a.jpg", data=b"x", headers=jpeg), 404),
        (client.get(f"/storage/{media}/uploads/../../etc/passwd"), 404),
        (client.get(f"/storage/{media}"), 404),
        (client.put(f"/storage/{renders}/renders/x/render-1.mp4", data=b"x", headers=jpeg), 405),
        (client.put(f"/storage/{media}/uploads/page.html", data=b"<script>", headers={
            "Content-Type": "text/html"}), 400),
    ]  # fmt: skip
    for answer, status in refused:
        assert answer.status_code == status, answer.get_data(as_text=True)
        assert answer.get_json()["message"]
    assert refused[0][0].headers["Allow"] == "GET, HEAD, PUT"

    small = Client(StorageProxy(dataclasses.replace(settings, max_upload_bytes=10)))
    too_big = small.put(f"/storage/{media}/uploads/a.jpg", data=b"x" * 11, headers=jpeg)
    assert too_big.status_code == 413
    cloud = Client(StorageProxy(dataclasses.replace(settings, local_mode=False)))
    assert cloud.get(f"/storage/{media}/uploads/a.jpg").status_code == 404


@pytest.fixture(scope="module")
def gateway(stack: RunningStack) -> Iterator[str]:
    endpoint = Endpoint("127.0.0.1", free_port())
    proc = stack.add(gateway_service(endpoint))
    yield endpoint.url
    proc.stop()
    stack.processes.remove(proc)


def test_demo_client_uploads_and_downloads_through_the_gateway(
    gateway: str, tmp_path: Path
) -> None:
    api = ApiClient(gateway)
    api.login(new_user("proxy"), PASSWORD)
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(jpeg_bytes((640, 480)))
    media = api.upload(photo)  # the PUT goes to the gateway's /storage/ path
    for key in ("url", "thumb_url", "preview_url"):
        assert media[key].startswith(f"{gateway}/storage/"), key
    thumb = api.download(media["thumb_url"], tmp_path / "thumb.jpg")
    with Image.open(thumb) as im:
        assert im.size == (320, 240)
    preflight = requests.options(media["url"], timeout=10)
    assert preflight.status_code == 405 and "Access-Control-Allow-Origin" not in preflight.headers
