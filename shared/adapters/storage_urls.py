"""Signed storage URLs for the browser: same-origin with the editor on the local stack.

The GCS emulator sends no CORS headers, so in local mode a URL pointing at it is answered on the
API's own origin under ``/storage/``, which the local gateway forwards to the emulator
(shared/localstack/storage_proxy.py). On Google Cloud URLs stay real GCS ones (the buckets'
CORS configuration lets the editor use them).
"""

from __future__ import annotations

from shared.settings import Settings

PROXY_PREFIX = "/storage/"


def emulator_origin(settings: Settings) -> str | None:
    """The emulator's origin as signed URLs carry it (``http://127.0.0.1:PORT``), in local mode."""
    host = settings.storage_emulator_host
    if not settings.local_mode or not host:
        return None
    host = host.rstrip("/")
    return host if "://" in host else f"http://{host}"


def browser_url(url: str, settings: Settings, origin: str) -> str:
    """``url`` on ``origin``'s /storage/ path when it points at the local emulator; else as is."""
    emulator = emulator_origin(settings)
    if emulator is None or not url.startswith(emulator + "/"):
        return url
    return f"{origin.rstrip('/')}{PROXY_PREFIX}{url.removeprefix(emulator + '/')}"
