"""Failed-login counters per user and per address, in Firestore (functions run many instances).

Each counter is ``login_failures/{sha256(scope:key)}`` with a fixed window: after ``limit``
failures within ``window_s`` every attempt for that user (or from that address) is refused with
429 until the window ends, even with the right password. A success clears the user's counter.
Counting per user stops guessing one password from many addresses; per address stops one
address from spraying many users.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from google.cloud import firestore

from shared.errors import TooManyRequests

COLLECTION = "login_failures"


@dataclass(frozen=True)
class ThrottlePolicy:
    per_user: int = 5
    per_address: int = 20
    window_s: int = 15 * 60


def _doc_id(scope: str, key: str) -> str:
    return hashlib.sha256(f"{scope}:{key}".encode()).hexdigest()


@firestore.transactional
def _count_failure(
    transaction: firestore.Transaction,
    ref: firestore.DocumentReference,
    now: datetime,
    window: timedelta,
) -> None:
    snapshot = ref.get(transaction=transaction)
    data = snapshot.to_dict() if snapshot.exists else None
    if data is None or now - data["window_start"] >= window:
        transaction.set(ref, {"count": 1, "window_start": now})
    else:
        transaction.update(ref, {"count": data["count"] + 1})


class FirestoreLoginThrottle:
    def __init__(self, db: firestore.Client, policy: ThrottlePolicy = ThrottlePolicy()) -> None:
        self._db = db
        self._counters = db.collection(COLLECTION)
        self.policy = policy

    def _keys(self, uid: str, address: str) -> list[tuple[firestore.DocumentReference, int]]:
        return [
            (self._counters.document(_doc_id("user", uid)), self.policy.per_user),
            (self._counters.document(_doc_id("address", address)), self.policy.per_address),
        ]

    def check(self, uid: str, address: str, now: datetime) -> None:
        """TooManyRequests if this user or this address used up its failures in the window."""
        window = timedelta(seconds=self.policy.window_s)
        for ref, limit in self._keys(uid, address):
            snapshot = ref.get()
            if not snapshot.exists:
                continue
            data = snapshot.to_dict() or {}
            left = data["window_start"] + window - now
            if data["count"] >= limit and left > timedelta(0):
                raise TooManyRequests(
                    "too many failed sign-ins; try again later",
                    retry_after_s=max(1, math.ceil(left.total_seconds())),
                )

    def record_failure(self, uid: str, address: str, now: datetime) -> None:
        window = timedelta(seconds=self.policy.window_s)
        for ref, _limit in self._keys(uid, address):
            _count_failure(self._db.transaction(max_attempts=10), ref, now, window)

    def record_success(self, uid: str) -> None:
        self._counters.document(_doc_id("user", uid)).delete()
