"""BlobStore on one GCS bucket, with v4 signed URLs for browser uploads and downloads.

A signed PUT is bound to its method, object, content type and exact size (the signed
``x-goog-content-length-range`` header), and expires after Settings.signed_url_ttl_s unless a
shorter TTL is asked for.
"""

from __future__ import annotations

import contextlib
import logging
import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import requests
from google.api_core import exceptions as gexc
from google.cloud.storage import Client as StorageClient

from shared.adapters.clients import GoogleClients
from shared.adapters.signing import (
    CONTENT_LENGTH_RANGE,
    Signer,
    signer_from_settings,
    upload_headers,
)
from shared.errors import InvalidRequest, NotFound, PayloadTooLarge, TransientError
from shared.ports import SignedRequest

log = logging.getLogger(__name__)

MAX_SIGNED_TTL_S = 7 * 24 * 3600  # the v4 limit
_CONTENT_TYPE = re.compile(r"[a-z0-9][a-z0-9!#$&^_.+-]*/[a-z0-9][a-z0-9!#$&^_.+-]*", re.I)
_UNSAFE_FILENAME = re.compile(r"[^A-Za-z0-9._-]+")


def check_object_name(name: str) -> str:
    if not name or name.startswith("/") or ".." in name.split("/") or len(name) > 1024:
        raise InvalidRequest(f"object name {name!r} is not allowed")
    return name


def check_upload(content_type: str, size_bytes: int, max_upload_bytes: int) -> None:
    """Refuse an upload request before any URL is minted."""
    if not _CONTENT_TYPE.fullmatch(content_type):
        raise InvalidRequest(f"content type {content_type!r} is not a media type")
    if size_bytes <= 0:
        raise InvalidRequest(f"size_bytes must be positive, not {size_bytes}")
    if size_bytes > max_upload_bytes:
        raise PayloadTooLarge(
            f"{size_bytes} bytes is over the upload limit of {max_upload_bytes} bytes"
        )


def check_ttl(ttl_s: int | None, default_ttl_s: int) -> int:
    """The lifetime of a signed URL: at most the configured one (and the v4 maximum)."""
    ttl = default_ttl_s if ttl_s is None else ttl_s
    if not 1 <= ttl <= min(default_ttl_s, MAX_SIGNED_TTL_S):
        raise InvalidRequest(f"signed URL lifetime {ttl} s is outside 1..{default_ttl_s} s")
    return ttl


@contextlib.contextmanager
def _translated_errors(what: str) -> Iterator[None]:
    try:
        yield
    except gexc.NotFound:
        raise NotFound(f"{what}: no such object") from None
    except (
        gexc.ServiceUnavailable,
        gexc.TooManyRequests,
        gexc.InternalServerError,
        requests.ConnectionError,
        requests.Timeout,
    ) as exc:
        raise TransientError(f"{what}: storage unavailable ({exc.__class__.__name__})") from exc


class GcsBlobStore:
    def __init__(
        self,
        client: StorageClient,
        bucket: str,
        signer: Signer,
        *,
        default_ttl_s: int = 900,
        max_upload_bytes: int = 50 * 1024 * 1024,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.bucket = bucket
        self._bucket = client.bucket(bucket)
        self._signer = signer
        self._default_ttl_s = default_ttl_s
        self._max_upload_bytes = max_upload_bytes
        self._clock = clock

    @classmethod
    def from_clients(cls, clients: GoogleClients, bucket: str) -> GcsBlobStore:
        """The store of ``bucket``, signing as Settings say (see shared.adapters.signing)."""
        settings = clients.settings
        return cls(
            clients.storage,
            bucket,
            signer_from_settings(settings),
            default_ttl_s=settings.signed_url_ttl_s,
            max_upload_bytes=settings.max_upload_bytes,
        )

    def uri(self, name: str) -> str:
        return f"gs://{self.bucket}/{name}"

    def upload_file(self, name: str, path: Path, content_type: str) -> str:
        blob = self._bucket.blob(check_object_name(name))
        with _translated_errors(f"uploading {self.uri(name)}"):
            blob.upload_from_filename(str(path), content_type=content_type, timeout=120)
        return self.uri(name)

    def upload_bytes(self, name: str, data: bytes, content_type: str) -> str:
        blob = self._bucket.blob(check_object_name(name))
        with _translated_errors(f"uploading {self.uri(name)}"):
            blob.upload_from_string(data, content_type=content_type, timeout=60)
        return self.uri(name)

    def download_file(self, name: str, path: Path) -> Path:
        blob = self._bucket.blob(check_object_name(name))
        with _translated_errors(f"downloading {self.uri(name)}"):
            blob.download_to_filename(str(path), timeout=120)
        return path

    def delete(self, name: str) -> None:
        with contextlib.suppress(NotFound), _translated_errors(f"deleting {self.uri(name)}"):
            self._bucket.blob(check_object_name(name)).delete()

    def delete_prefix(self, prefix: str) -> int:
        check_object_name(prefix)
        if not prefix.endswith("/"):
            raise InvalidRequest(f"prefix {prefix!r} must name a folder (end in /)")
        with _translated_errors(f"deleting {self.uri(prefix)}*"):
            blobs = list(self._bucket.list_blobs(prefix=prefix, timeout=60))
            for blob in blobs:
                with contextlib.suppress(gexc.NotFound):
                    blob.delete(timeout=60)
        return len(blobs)

    def exists(self, name: str) -> bool:
        with _translated_errors(f"checking {self.uri(name)}"):
            found: bool = self._bucket.blob(check_object_name(name)).exists()
        return found

    def signed_put_url(
        self, name: str, content_type: str, size_bytes: int, ttl_s: int | None = None
    ) -> SignedRequest:
        check_upload(content_type, size_bytes, self._max_upload_bytes)
        ttl = check_ttl(ttl_s, self._default_ttl_s)
        headers = upload_headers(content_type, size_bytes)
        url = self._bucket.blob(check_object_name(name)).generate_signed_url(
            version="v4",
            expiration=timedelta(seconds=ttl),
            method="PUT",
            content_type=content_type,
            headers={CONTENT_LENGTH_RANGE: headers[CONTENT_LENGTH_RANGE]},
            **self._signer.signing_kwargs(),
        )
        expires_at = self._clock() + timedelta(seconds=ttl)
        return SignedRequest(url=url, method="PUT", headers=headers, expires_at=expires_at)

    def signed_get_url(
        self, name: str, ttl_s: int | None = None, download_name: str | None = None
    ) -> str:
        disposition = None
        if download_name is not None:
            safe = _UNSAFE_FILENAME.sub("_", download_name).strip("._") or "download"
            disposition = f'attachment; filename="{safe}"'
        url: str = self._bucket.blob(check_object_name(name)).generate_signed_url(
            version="v4",
            expiration=timedelta(seconds=check_ttl(ttl_s, self._default_ttl_s)),
            method="GET",
            response_disposition=disposition,
            **self._signer.signing_kwargs(),
        )
        return url
