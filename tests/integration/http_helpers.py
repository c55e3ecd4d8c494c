"""Helpers for the HTTP tests: a browser (cookie jar + address) against the local gateway app."""

from __future__ import annotations

import functools
import io
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import requests
from PIL import Image
from werkzeug.test import Client, TestResponse

from functions.http_deps import deps
from shared.adapters.storage_urls import PROXY_PREFIX
from shared.auth.service import add_user
from shared.localstack.gateway import Wsgi
from shared.localstack.storage_proxy import StorageProxy
from shared.settings import Settings

PASSWORD = "correct horse battery staple"


def new_user(prefix: str = "user", password: str = PASSWORD) -> str:
    """A fresh user in Firestore (through the same use case as ``createstudio users add``)."""
    name = f"{prefix}-{uuid.uuid4().hex[:10]}"
    add_user(deps().auth.users, name, password, datetime.now(UTC))
    return name


def new_address() -> str:
    """A client address of its own, so one test's failed logins never throttle another's."""
    value = uuid.uuid4().int
    return f"10.{value % 250}.{value // 250 % 250}.{value // 62500 % 250 + 1}"


@dataclass
class Browser:
    app: Wsgi
    address: str = field(default_factory=new_address)
    client: Client = field(init=False)

    def __post_init__(self) -> None:
        self.client = Client(self.app)

    def _environ(self) -> dict[str, str]:
        return {"REMOTE_ADDR": self.address}

    def get(self, path: str, **kwargs: Any) -> TestResponse:
        return self.client.get(path, environ_base=self._environ(), **kwargs)

    def post(self, path: str, body: Any = None, **kwargs: Any) -> TestResponse:
        if body is not None:
            kwargs["json"] = body
        else:
            kwargs.setdefault("content_type", "application/json")
        return self.client.post(path, environ_base=self._environ(), **kwargs)

    def put(self, path: str, body: Any = None, **kwargs: Any) -> TestResponse:
        kwargs["json"] = body
        return self.client.put(path, environ_base=self._environ(), **kwargs)

    def delete(self, path: str, **kwargs: Any) -> TestResponse:
        kwargs.setdefault("content_type", "application/json")
        return self.client.delete(path, environ_base=self._environ(), **kwargs)

    def login(self, name: str, password: str = PASSWORD) -> TestResponse:
        response = self.post("/api/auth/login", {"name": name, "password": password})
        assert response.status_code == 200, response.get_json()
        return response

    def cookie(self) -> str | None:
        found = self.client.get_cookie("__session")
        return found.value if found else None


def signed_in(app: Wsgi, prefix: str = "user") -> Browser:
    browser = Browser(app)
    browser.login(new_user(prefix))
    return browser


def jpeg_bytes(size: tuple[int, int] = (64, 48), color: str = "orange") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "JPEG")
    return out.getvalue()


def png_bytes(size: tuple[int, int] = (64, 48)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, "teal").save(out, "PNG")
    return out.getvalue()


@functools.cache
def _storage_proxy() -> Client:
    return Client(StorageProxy(Settings.from_env()))


def fetch(
    method: str, url: str, data: bytes | None = None, headers: dict[str, str] | None = None
) -> tuple[int, bytes]:
    """(status, body) of a signed storage URL. In local mode the API answers them on its own
    origin (here the test client's, http://localhost/storage/...): those go through the
    gateway's storage proxy, as a browser's would; any other URL over real HTTP."""
    parts = urlsplit(url)
    if parts.netloc == "localhost" and parts.path.startswith(PROXY_PREFIX):
        answer = _storage_proxy().open(
            parts.path, method=method, query_string=parts.query, data=data, headers=headers
        )
        return answer.status_code, answer.get_data()
    response = requests.request(method, url, data=data, headers=headers, timeout=30)
    return response.status_code, response.content


def put_upload(upload: dict[str, Any], data: bytes, headers: dict[str, str] | None = None) -> int:
    """PUT ``data`` to a signed upload URL as a browser would; the HTTP status."""
    sent = headers if headers is not None else upload["headers"]
    return fetch("PUT", upload["url"], data=data, headers=sent)[0]


def upload(browser: Browser, data: bytes, content_type: str, filename: str = "photo.jpg") -> str:
    """Request a URL, PUT ``data``; the media id (not registered yet)."""
    answer = browser.post(
        "/api/media/uploads",
        {"filename": filename, "content_type": content_type, "size_bytes": len(data)},
    )
    assert answer.status_code == 201, answer.get_json()
    body = answer.get_json()
    assert put_upload(body["upload"], data) == 200
    return str(body["media_id"])


def ready_photo(browser: Browser) -> str:
    media_id = upload(browser, jpeg_bytes(), "image/jpeg")
    answer = browser.post(f"/api/media/{media_id}/register")
    assert answer.status_code == 200, answer.get_json()
    return media_id


def ad_timeline(*photo_sources: str, **extra: Any) -> dict[str, Any]:
    """A small valid ad timeline over the given sources."""
    return {
        "name": "Test ad",
        "video": [{"kind": "photo", "source": s, "duration_ms": 1000} for s in photo_sources],
        **extra,
    }
