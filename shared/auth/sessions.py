"""Server-side sessions: ``sessions/{sha256(session id)}``, so logout and expiry really end them.

Only the hash of the session id is stored: a leaked database export holds no usable cookie.
Production sets a Firestore TTL policy on ``expires_at`` to delete dead sessions.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from google.cloud import firestore
from pydantic import BaseModel, ConfigDict

from shared.errors import Unauthenticated

COLLECTION = "sessions"


@dataclass(frozen=True)
class SessionPolicy:
    absolute_s: int = 12 * 3600
    idle_s: int = 2 * 3600
    touch_every_s: int = 300  # refresh last_seen_at at most this often (one write, not each call)


class Session(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    uid: str
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime


def _doc_id(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


class FirestoreSessionStore:
    def __init__(self, db: firestore.Client, policy: SessionPolicy = SessionPolicy()) -> None:
        self._sessions = db.collection(COLLECTION)
        self.policy = policy

    def open(self, session_id: str, uid: str, now: datetime) -> Session:
        session = Session(
            uid=uid,
            created_at=now,
            last_seen_at=now,
            expires_at=now + timedelta(seconds=self.policy.absolute_s),
        )
        self._sessions.document(_doc_id(session_id)).create(session.model_dump())
        return session

    def check(self, session_id: str, now: datetime) -> Session:
        """The live session; Unauthenticated if it ended (logout, idle or absolute timeout)."""
        ref = self._sessions.document(_doc_id(session_id))
        snapshot = ref.get()
        if not snapshot.exists:
            raise Unauthenticated("the session has ended; sign in again")
        session = Session.model_validate(snapshot.to_dict())
        idle = now - session.last_seen_at
        if now >= session.expires_at or idle > timedelta(seconds=self.policy.idle_s):
            ref.delete()
            raise Unauthenticated("the session has expired; sign in again")
        if idle > timedelta(seconds=self.policy.touch_every_s):
            ref.update({"last_seen_at": now})
        return session

    def close(self, session_id: str) -> None:
        self._sessions.document(_doc_id(session_id)).delete()
