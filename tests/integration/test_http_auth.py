"""Login, logout, me over the gateway: cookies, sessions, throttling, Firestore access tokens."""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import requests
from argon2 import PasswordHasher

from functions.http_deps import deps
from shared.adapters.firestore_jobs import FirestoreJobStore
from shared.auth.cookies import session_key, sign_cookie
from shared.auth.passwords import needs_rehash
from shared.errors import Unauthenticated
from shared.jobs import new_job
from shared.localstack import RunningStack
from shared.localstack.gateway import Wsgi, build_app
from tests.integration.http_helpers import PASSWORD, Browser, new_user

pytestmark = pytest.mark.emulator


@pytest.fixture(scope="module")
def app(stack: RunningStack) -> Iterator[Wsgi]:
    yield build_app()


def test_login_me_logout(app: Wsgi) -> None:
    name = new_user()
    browser = Browser(app)
    assert browser.get("/api/auth/me").status_code == 401
    answer = browser.login(name).get_json()
    assert answer["uid"] == name
    me = browser.get("/api/auth/me").get_json()
    assert me["uid"] == name
    assert me["firestore"]["project"]  # a reloaded editor can watch its jobs again
    old_cookie = browser.cookie()
    assert browser.post("/api/auth/logout").status_code == 200
    assert browser.get("/api/auth/me").status_code == 401
    # The old cookie is dead on the server, not only forgotten by the browser.
    replay = Browser(app)
    replay.client.set_cookie("__session", old_cookie or "")
    refused = replay.get("/api/auth/me")
    assert refused.status_code == 401
    assert "ended" in refused.get_json()["message"]


def test_cookie_flags(app: Wsgi) -> None:
    response = Browser(app).login(new_user())
    header = response.headers["Set-Cookie"]
    parts = [p.strip() for p in header.split(";")]
    assert parts[0].startswith("__session=")
    assert "HttpOnly" in parts and "SameSite=Strict" in parts and "Path=/" in parts
    assert not any(p.lower().startswith("domain") for p in parts)
    assert "Secure" not in parts  # local mode: plain http://127.0.0.1
    max_age = next(int(p.split("=")[1]) for p in parts if p.startswith("Max-Age="))
    assert 3600 <= max_age <= 12 * 3600
    session_id = parts[0].removeprefix("__session=").split(".")[0]
    assert len(base64.urlsafe_b64decode(session_id + "==")) >= 16  # >= 128 bits


def test_a_new_login_gets_a_new_session(app: Wsgi) -> None:
    name = new_user()
    browser = Browser(app)
    browser.login(name)
    first = browser.cookie()
    browser.login(name)
    assert browser.cookie() != first


@pytest.mark.parametrize(
    "cookie",
    [
        "garbage",
        "a.b.c",
        "abc.99999999999.forgedmacforgedmacforgedmacforgedmacforgedm",
        "x" * 500,
    ],
)
def test_forged_cookie_is_401(app: Wsgi, cookie: str) -> None:
    browser = Browser(app)
    browser.client.set_cookie("__session", cookie)
    response = browser.get("/api/auth/me")
    assert response.status_code == 401
    assert response.get_json()["error"] == "unauthenticated"


def test_cookie_signed_with_another_key_is_401(app: Wsgi) -> None:
    browser = Browser(app)
    name = new_user()
    browser.login(name)
    session_id = (browser.cookie() or "").split(".")[0]
    forged = sign_cookie(b"k" * 32, session_id, datetime.now(UTC) + timedelta(hours=1))
    browser.client.set_cookie("__session", forged)
    assert browser.get("/api/auth/me").status_code == 401


def test_expired_cookie_is_401(app: Wsgi) -> None:
    browser = Browser(app)
    browser.login(new_user())
    session_id = (browser.cookie() or "").split(".")[0]
    key = session_key(deps().settings)
    expired = sign_cookie(key, session_id, datetime.now(UTC) - timedelta(seconds=1))
    browser.client.set_cookie("__session", expired)
    response = browser.get("/api/auth/me")
    assert response.status_code == 401
    assert "expired" in response.get_json()["message"]


def test_unknown_user_and_wrong_password_look_the_same(app: Wsgi) -> None:
    name = new_user()
    wrong = Browser(app).post("/api/auth/login", {"name": name, "password": "x" * 20})
    unknown = Browser(app).post("/api/auth/login", {"name": "nobody-at-all", "password": "x" * 20})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.get_json() == unknown.get_json()
    assert "Set-Cookie" not in wrong.headers


def test_throttled_per_user_even_with_the_right_password(app: Wsgi) -> None:
    name = new_user()
    limit = deps().auth.throttle.policy.per_user
    for _ in range(limit):  # from as many addresses: the user's counter still fills
        assert (
            Browser(app).post("/api/auth/login", {"name": name, "password": "w" * 20}).status_code
            == 401
        )
    response = Browser(app).post("/api/auth/login", {"name": name, "password": PASSWORD})
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 0
    assert "Set-Cookie" not in response.headers


def test_throttled_per_address(app: Wsgi) -> None:
    browser = Browser(app)
    limit = deps().auth.throttle.policy.per_address
    for i in range(limit):  # a different user each time: only the address counter fills
        answer = browser.post("/api/auth/login", {"name": f"spray-{i}", "password": "w" * 20})
        assert answer.status_code == 401
    victim = new_user()
    assert (
        browser.post("/api/auth/login", {"name": victim, "password": PASSWORD}).status_code == 429
    )
    Browser(app).login(victim)  # from another address the user is fine


def test_success_clears_the_user_counter(app: Wsgi) -> None:
    name = new_user()
    limit = deps().auth.throttle.policy.per_user
    for _ in range(limit - 1):
        Browser(app).post("/api/auth/login", {"name": name, "password": "w" * 20})
    Browser(app).login(name)
    for _ in range(limit - 1):
        Browser(app).post("/api/auth/login", {"name": name, "password": "w" * 20})
    Browser(app).login(name)


def test_no_password_in_logs(app: Wsgi, caplog: pytest.LogCaptureFixture) -> None:
    name = new_user()
    secret_wrong = "wrong-password-that-must-not-leak"
    with caplog.at_level(logging.DEBUG):
        Browser(app).post("/api/auth/login", {"name": name, "password": secret_wrong})
        Browser(app).post("/api/auth/login", {"name": name, "password": secret_wrong, "x": 1})
        Browser(app).login(name)
    text = "\n".join(f"{r.getMessage()} {vars(r)}" for r in caplog.records)
    assert name in text  # the log did record the attempts
    assert secret_wrong not in text and PASSWORD not in text


def test_login_token_reads_own_jobs_only_under_the_rules(app: Wsgi, stack: RunningStack) -> None:
    """The login's Firestore token passes firestore.rules for the user's own documents only."""
    name = new_user()
    access = Browser(app).login(name).get_json()["firestore"]
    assert access["project"] == stack.settings.project_id
    jobs = FirestoreJobStore(deps().clients.firestore)
    now = datetime.now(UTC)
    jobs.create(new_job(f"mine-{name}", name, now))
    jobs.create(new_job(f"theirs-{name}", f"other-{name}", now))
    base = (
        f"http://{stack.settings.firestore_emulator_host}/v1/projects/"
        f"{access['project']}/databases/(default)/documents"
    )
    auth = {"Authorization": f"Bearer {access['token']}"}
    assert requests.get(f"{base}/jobs/mine-{name}", headers=auth, timeout=10).status_code == 200
    assert requests.get(f"{base}/jobs/theirs-{name}", headers=auth, timeout=10).status_code == 403
    assert requests.get(f"{base}/users/{name}", headers=auth, timeout=10).status_code == 403
    claims = json.loads(base64.urlsafe_b64decode(access["token"].split(".")[1] + "=="))
    assert claims["user_id"] == name


def test_idle_timeout_ends_the_session_server_side(app: Wsgi) -> None:
    auth = deps().auth
    browser = Browser(app)
    browser.login(new_user())
    later = datetime.now(UTC) + timedelta(seconds=auth.sessions.policy.idle_s + 60)
    with pytest.raises(Unauthenticated, match="expired"):
        auth.authenticate(browser.cookie(), later)
    assert browser.get("/api/auth/me").status_code == 401  # deleted, not only refused


def test_absolute_timeout_is_enforced_server_side(app: Wsgi) -> None:
    """Even a cookie whose own expiry were later (signed with our key) dies with its session."""
    auth = deps().auth
    policy = auth.sessions.policy
    browser = Browser(app)
    browser.login(new_user())
    now = datetime.now(UTC)
    session_id = (browser.cookie() or "").split(".")[0]
    longer = sign_cookie(auth.key, session_id, now + timedelta(seconds=policy.absolute_s * 2))
    step = policy.idle_s // 2
    for seconds in range(step, policy.absolute_s, step):  # busy: never idle
        assert auth.authenticate(longer, now + timedelta(seconds=seconds))
    with pytest.raises(Unauthenticated, match="expired"):
        auth.authenticate(longer, now + timedelta(seconds=policy.absolute_s + 1))


def test_old_hash_is_upgraded_at_login(app: Wsgi) -> None:
    name = new_user()
    weak = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1).hash(PASSWORD)
    deps().auth.users.set_password_hash(name, weak)
    Browser(app).login(name)
    user = deps().auth.users.find(name)
    assert user is not None and user.password_hash != weak
    assert not needs_rehash(user.password_hash)
