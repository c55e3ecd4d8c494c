"""Users: the Firestore documents ``users/{uid}``, whose id is the normalised login name.

The rules refuse every browser read of this collection: it holds password hashes.
"""

from __future__ import annotations

import re
from datetime import datetime

from google.api_core import exceptions as gexc
from google.cloud import firestore
from pydantic import BaseModel, ConfigDict

from shared.errors import Conflict, InvalidRequest

COLLECTION = "users"
_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")


def normalise_name(name: str) -> str:
    """The uid for a login name: lower case; letters, digits, '.', '_' and '-' only."""
    uid = name.strip().lower()
    if not _NAME.fullmatch(uid):
        raise InvalidRequest(
            "a user name is 1-64 characters: letters, digits, '.', '_' or '-', "
            "starting with a letter or digit"
        )
    return uid


class User(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    uid: str
    password_hash: str
    created_at: datetime

    def __repr__(self) -> str:  # never print the hash
        return f"User(uid={self.uid!r})"


class FirestoreUserStore:
    def __init__(self, db: firestore.Client) -> None:
        self._users = db.collection(COLLECTION)

    def create(self, user: User) -> User:
        try:
            self._users.document(user.uid).create(user.model_dump())
        except gexc.AlreadyExists:
            raise Conflict(f"user {user.uid!r} already exists") from None
        return user

    def find(self, uid: str) -> User | None:
        snapshot = self._users.document(uid).get()
        return User.model_validate(snapshot.to_dict()) if snapshot.exists else None

    def set_password_hash(self, uid: str, password_hash: str) -> None:
        self._users.document(uid).update({"password_hash": password_hash})
