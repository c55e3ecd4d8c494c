"""The session cookie (signed, expiring) and its Set-Cookie attributes; pure, no emulator."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from shared.auth.cookies import (
    new_session_id,
    session_key,
    set_cookie_header,
    sign_cookie,
    verify_cookie,
)
from shared.errors import ConfigError, Unauthenticated
from shared.settings import Settings

KEY = b"k" * 32
NOW = datetime(2026, 1, 1, tzinfo=UTC)


def test_round_trip() -> None:
    sid = new_session_id()
    cookie = sign_cookie(KEY, sid, NOW + timedelta(hours=1))
    assert verify_cookie(KEY, cookie, NOW).session_id == sid


@pytest.mark.parametrize(
    "tamper",
    [
        lambda c: c[:-2] + ("AA" if not c.endswith("AA") else "BB"),  # the MAC
        lambda c: "x" + c,  # the session id
        lambda c: c.replace(".", ".9", 1),  # the expiry pushed out
        lambda c: c.rsplit(".", 1)[0],  # no MAC
        lambda c: "",
    ],
)
def test_tampered_cookie_refused(tamper: object) -> None:
    cookie = sign_cookie(KEY, new_session_id(), NOW + timedelta(hours=1))
    with pytest.raises(Unauthenticated):
        verify_cookie(KEY, tamper(cookie), NOW)  # type: ignore[operator]


def test_other_key_refused() -> None:
    cookie = sign_cookie(b"o" * 32, new_session_id(), NOW + timedelta(hours=1))
    with pytest.raises(Unauthenticated, match="not valid"):
        verify_cookie(KEY, cookie, NOW)


def test_expired_refused() -> None:
    cookie = sign_cookie(KEY, new_session_id(), NOW)
    with pytest.raises(Unauthenticated, match="expired"):
        verify_cookie(KEY, cookie, NOW)


def test_session_ids_are_long_and_fresh() -> None:
    ids = {new_session_id() for _ in range(100)}
    assert len(ids) == 100
    assert all(len(i) >= 43 for i in ids)  # 32 random bytes, base64url


def test_set_cookie_attributes() -> None:
    header = set_cookie_header("v", 60, secure=True)
    assert header == "__session=v; Path=/; Max-Age=60; HttpOnly; Secure; SameSite=Strict"
    assert "Secure" not in set_cookie_header("v", 60, secure=False)


def test_session_key_rules() -> None:
    local = Settings(project_id="demo-x", media_bucket="m", renders_bucket="r", local_mode=True)
    assert len(session_key(local)) == 32
    cloud = Settings(project_id="p", media_bucket="m", renders_bucket="r")
    with pytest.raises(ConfigError, match="CS_SESSION_SECRET"):
        session_key(cloud)
    weak = Settings.from_env({"GOOGLE_CLOUD_PROJECT": "p", "CS_SESSION_SECRET": "short"})
    with pytest.raises(ConfigError, match="at least 32"):
        session_key(weak)
    strong = Settings.from_env({"GOOGLE_CLOUD_PROJECT": "p", "CS_SESSION_SECRET": "s" * 40})
    assert session_key(strong) == b"s" * 40
