"""The session cookie: a random session id with its expiry, signed with HMAC-SHA256 (pure).

    __session=<sid>.<expires_unix>.<mac>

The signature lets every function refuse a forged or expired cookie before any database read;
the session document (shared.auth.sessions) is still what decides, so logout works. The name is
``__session`` because Firebase Hosting strips every other cookie on its way to a function.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime

from shared.errors import ConfigError, Unauthenticated
from shared.settings import Settings

COOKIE_NAME = "__session"
_MAC_LABEL = b"createstudio-session-v1\x00"
_SID_BYTES = 32  # 256 bits from the CSPRNG (ASVS asks for at least 128)
_LOCAL_KEY = secrets.token_bytes(32)  # local mode without CS_SESSION_SECRET: one per process


def session_key(settings: Settings) -> bytes:
    """The HMAC key: CS_SESSION_SECRET; in local mode a per-process key if it is unset."""
    if settings.session_secret is not None:
        secret = settings.session_secret.reveal().encode()
        if len(secret) < 32:
            raise ConfigError("CS_SESSION_SECRET must be at least 32 characters")
        return secret
    if settings.local_mode:
        return _LOCAL_KEY
    raise ConfigError("CS_SESSION_SECRET is not set (the key that signs session cookies)")


def new_session_id() -> str:
    return secrets.token_urlsafe(_SID_BYTES)


def _mac(key: bytes, payload: str) -> str:
    digest = hmac.new(key, _MAC_LABEL + payload.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def sign_cookie(key: bytes, session_id: str, expires_at: datetime) -> str:
    payload = f"{session_id}.{int(expires_at.timestamp())}"
    return f"{payload}.{_mac(key, payload)}"


@dataclass(frozen=True)
class CookieClaims:
    session_id: str
    expires_unix: int


def verify_cookie(key: bytes, value: str | None, now: datetime) -> CookieClaims:
    """The session id a cookie carries; Unauthenticated if it is missing, forged or expired."""
    if not value:
        raise Unauthenticated("sign in first: no session cookie")
    parts = value.split(".")
    if len(parts) != 3 or not parts[1].isdigit() or len(value) > 200:
        raise Unauthenticated("the session cookie is malformed; sign in again")
    session_id, expires, mac = parts
    if not hmac.compare_digest(mac, _mac(key, f"{session_id}.{expires}")):
        raise Unauthenticated("the session cookie is not valid; sign in again")
    if int(expires) <= now.timestamp():
        raise Unauthenticated("the session has expired; sign in again")
    return CookieClaims(session_id=session_id, expires_unix=int(expires))


def set_cookie_header(value: str, max_age_s: int, *, secure: bool) -> str:
    """The Set-Cookie header: HttpOnly, SameSite=Strict, Path=/, no Domain, Secure off-local."""
    attributes = [f"{COOKIE_NAME}={value}", "Path=/", f"Max-Age={max_age_s}", "HttpOnly"]
    if secure:
        attributes.append("Secure")
    attributes.append("SameSite=Strict")
    return "; ".join(attributes)


def clear_cookie_header(*, secure: bool) -> str:
    return set_cookie_header("", 0, secure=secure)
