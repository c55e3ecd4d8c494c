"""Signed storage URLs as the browser must use them (same-origin on the local stack)."""

from __future__ import annotations

from functions.http_util import Call
from shared.adapters.storage_urls import browser_url


def browser_link(call: Call, url: str) -> str:
    """``url`` on the request's own origin in local mode (the gateway's /storage/ proxy); the
    real GCS URL otherwise."""
    return browser_url(url, call.deps.settings, call.request.host_url)
