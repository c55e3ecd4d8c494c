"""Same-origin storage for the browser on the local stack: ``/storage/<bucket>/<object>?<query>``.

The GCS emulator sends no CORS headers and answers OPTIONS with 501, so a page served by the
gateway could neither PUT to a signed upload URL nor draw a thumbnail into a canvas. In local
mode the API answers signed URLs on its own origin (shared.adapters.storage_urls) and the
gateway forwards them here, to the emulator, for the project's two buckets only. On Google
Cloud the URLs stay real GCS ones and this path answers 404.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable, Iterator
from typing import IO, Any
from urllib.parse import quote

import requests

from shared.adapters.storage_urls import PROXY_PREFIX as PREFIX
from shared.adapters.storage_urls import emulator_origin
from shared.library.policy import ACCEPTED
from shared.settings import Settings

log = logging.getLogger(__name__)

_CHUNK_BYTES = 256 * 1024
_PASSED_RESPONSE_HEADERS = frozenset(
    {"content-type", "content-length", "content-encoding", "content-disposition", "etag",
     "last-modified"}
)  # fmt: skip

StartResponse = Callable[..., Any]


_CODES = {400: "invalid_request", 404: "not_found", 405: "method_not_allowed",
          411: "invalid_request", 413: "payload_too_large", 503: "unavailable"}  # fmt: skip


def _answer(start: StartResponse, status: int, message: str, **headers: str) -> list[bytes]:
    code = _CODES[status]
    body = json.dumps({"error": code, "message": message}).encode()
    start(
        f"{status} {code.replace('_', ' ')}",
        [("Content-Type", "application/json"), ("Content-Length", str(len(body))),
         ("Cache-Control", "no-store"), *headers.items()],
    )  # fmt: skip
    return [body]


class _BoundedBody:
    """The request body, read as it is sent on, never past its declared length."""

    def __init__(self, stream: IO[bytes], length: int) -> None:
        self._stream = stream
        self._left = length
        self.len = length  # requests sends Content-Length from this, not chunked encoding

    def read(self, size: int = -1) -> bytes:
        if self._left <= 0:
            return b""
        size = self._left if size < 0 else min(size, self._left)
        data = self._stream.read(size)
        self._left -= len(data)
        return data


class _Refused(Exception):
    def __init__(self, status: int, message: str, **headers: str) -> None:
        super().__init__(message)
        self.status = status
        self.headers = headers


def _upload_length(environ: dict[str, Any], max_bytes: int) -> int:
    """The declared length of an upload that may go on; _Refused otherwise."""
    raw = environ.get("CONTENT_LENGTH") or ""
    if not raw.isdigit():
        raise _Refused(411, "send Content-Length with the upload")
    if int(raw) > max_bytes:
        raise _Refused(413, f"the upload is larger than {max_bytes} bytes")
    content_type = (environ.get("CONTENT_TYPE") or "").split(";")[0].strip().lower()
    if content_type not in ACCEPTED:
        # GCS enforces the signed Content-Type, the emulator does not; anything else would be
        # served back on the editor's own origin.
        raise _Refused(400, f"Content-Type {content_type[:100]!r} is not an accepted media type")
    return int(raw)


def _forwarded_headers(environ: dict[str, Any]) -> dict[str, str]:
    """Content-Type and every x-goog-* header the browser sent."""
    headers = {
        key[5:].replace("_", "-").lower(): value
        for key, value in environ.items()
        if key.startswith("HTTP_X_GOOG_")
    }
    if environ.get("CONTENT_TYPE"):
        headers["Content-Type"] = environ["CONTENT_TYPE"]
    return headers


class StorageProxy:
    """WSGI app for ``/storage/...`` (GET, HEAD, PUT), forwarding to the storage emulator."""

    def __init__(self, settings: Settings, session: requests.Session | None = None) -> None:
        self._emulator = emulator_origin(settings)
        self._buckets = frozenset({settings.media_bucket, settings.renders_bucket})
        self._uploads_to = settings.media_bucket  # the browser only ever uploads media
        self._max_bytes = settings.max_upload_bytes
        self._http = session or requests.Session()
        self._http.trust_env = False  # loopback only: never through a proxy

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        try:
            url, body = self._target(environ)
        except _Refused as refused:
            return _answer(start_response, refused.status, str(refused), **refused.headers)
        method = environ["REQUEST_METHOD"]
        try:
            upstream = self._http.request(
                "GET" if method == "HEAD" else method,  # the emulator has no HEAD (501)
                url, data=body, headers=_forwarded_headers(environ), stream=True,
                timeout=(5, 120), allow_redirects=False,
            )  # fmt: skip
        except requests.RequestException as exc:
            log.error("storage emulator unreachable", extra={"error": repr(exc)})
            return _answer(start_response, 503, "the storage emulator is unavailable; retry")
        passed = [
            (key, value)
            for key, value in upstream.headers.items()
            if key.lower() in _PASSED_RESPONSE_HEADERS or key.lower().startswith("x-goog-")
        ]
        # Served on the editor's origin: never let a stored object run as a page there.
        passed += [
            ("X-Content-Type-Options", "nosniff"),
            ("Content-Security-Policy", "default-src 'none'; sandbox"),
        ]
        start_response(f"{upstream.status_code} {upstream.reason}", passed)
        if method == "HEAD":
            upstream.close()
            return []
        return _stream(upstream)

    def _target(self, environ: dict[str, Any]) -> tuple[str, _BoundedBody | None]:
        """The emulator URL to forward to, and the upload's body for a PUT."""
        if self._emulator is None:
            raise _Refused(404, "no storage proxy outside local mode")
        method = environ.get("REQUEST_METHOD", "GET")
        if method not in ("GET", "HEAD", "PUT"):
            raise _Refused(405, "use GET, HEAD or PUT", Allow="GET, HEAD, PUT")
        bucket, _, name = environ.get("PATH_INFO", "").removeprefix(PREFIX).partition("/")
        if bucket not in self._buckets or not name or ".." in name.split("/"):
            raise _Refused(404, "no such object")
        url = f"{self._emulator}/{bucket}/{quote(name, safe='/~')}"
        if environ.get("QUERY_STRING"):
            url += "?" + environ["QUERY_STRING"]
        if method != "PUT":
            return url, None
        if bucket != self._uploads_to:
            raise _Refused(405, "uploads go to the media bucket", Allow="GET, HEAD")
        return url, _BoundedBody(environ["wsgi.input"], _upload_length(environ, self._max_bytes))


def _stream(upstream: requests.Response) -> Iterator[bytes]:
    try:
        yield from upstream.raw.stream(_CHUNK_BYTES, decode_content=False)
    finally:
        upstream.close()
