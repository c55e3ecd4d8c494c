"""The auth use cases: add a user, log in, check a session, log out.

Failures are deliberately vague ("invalid user name or password", same status and the same
Argon2 work for a malformed name, an unknown user and a wrong password) and never log the
password. Every login mints a fresh session id, so a
session id planted before login (fixation) is worthless.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from shared.auth.cookies import new_session_id, sign_cookie, verify_cookie
from shared.auth.passwords import hash_password, needs_rehash, verify_password
from shared.auth.sessions import FirestoreSessionStore, Session
from shared.auth.throttle import FirestoreLoginThrottle
from shared.auth.users import FirestoreUserStore, User, normalise_name
from shared.errors import InvalidRequest, Unauthenticated

log = logging.getLogger(__name__)

_BAD_CREDENTIALS = "invalid user name or password"


def add_user(users: FirestoreUserStore, name: str, password: str, now: datetime) -> User:
    """Create a user; InvalidRequest for a bad name or password, Conflict if the name is taken."""
    user = User(uid=normalise_name(name), password_hash=hash_password(password), created_at=now)
    users.create(user)
    log.info("user created", extra={"uid": user.uid})
    return user


@dataclass(frozen=True)
class LoggedIn:
    uid: str
    cookie: str  # the signed cookie value
    session: Session


@dataclass(frozen=True)
class Auth:
    users: FirestoreUserStore
    sessions: FirestoreSessionStore
    throttle: FirestoreLoginThrottle
    key: bytes
    # The password check; every failed path runs it once, so timing tells no path from another.
    verify: Callable[[str | None, str], bool] = verify_password

    def login(self, name: str, password: str, address: str, now: datetime) -> LoggedIn:
        try:
            uid = normalise_name(name)
        except InvalidRequest:
            self.verify(None, password)  # against the dummy hash: as slow as a wrong password
            raise Unauthenticated(_BAD_CREDENTIALS) from None
        self.throttle.check(uid, address, now)
        user = self.users.find(uid)
        if not self.verify(user.password_hash if user else None, password) or user is None:
            self.throttle.record_failure(uid, address, now)
            log.warning("sign-in refused", extra={"uid": uid, "address": address})
            raise Unauthenticated(_BAD_CREDENTIALS)
        self.throttle.record_success(uid)
        if needs_rehash(user.password_hash):
            self.users.set_password_hash(uid, hash_password(password))
        session_id = new_session_id()
        session = self.sessions.open(session_id, uid, now)
        log.info("signed in", extra={"uid": uid})
        return LoggedIn(
            uid=uid, cookie=sign_cookie(self.key, session_id, session.expires_at), session=session
        )

    def authenticate(self, cookie: str | None, now: datetime) -> str:
        """The uid of a live session; Unauthenticated otherwise."""
        claims = verify_cookie(self.key, cookie, now)
        return self.sessions.check(claims.session_id, now).uid

    def logout(self, cookie: str | None, now: datetime) -> None:
        claims = verify_cookie(self.key, cookie, now)
        self.sessions.close(claims.session_id)
