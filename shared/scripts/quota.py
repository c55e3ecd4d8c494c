"""Scripts per user per hour, counted in Firestore (functions run many instances).

One document per user and clock hour, ``script_requests/{sha256(uid)}-{YYYYMMDDHH}``, taken
in a transaction; the hour's document is left behind, small and never read again (a TTL
policy on ``expires_at`` removes it in the cloud).
"""

from __future__ import annotations

import hashlib
import math
from datetime import datetime, timedelta

from google.cloud import firestore

from shared.errors import TooManyRequests

COLLECTION = "script_requests"


def _hour_start(now: datetime) -> datetime:
    return now.replace(minute=0, second=0, microsecond=0)


def quota_doc_id(uid: str, now: datetime) -> str:
    return f"{hashlib.sha256(uid.encode()).hexdigest()[:32]}-{_hour_start(now):%Y%m%d%H}"


@firestore.transactional
def _take(
    transaction: firestore.Transaction,
    ref: firestore.DocumentReference,
    limit: int,
    ends_at: datetime,
) -> bool:
    snapshot = ref.get(transaction=transaction)
    count = int((snapshot.to_dict() or {}).get("count", 0)) if snapshot.exists else 0
    if count >= limit:
        return False
    transaction.set(ref, {"count": count + 1, "expires_at": ends_at})
    return True


class FirestoreHourlyQuota:
    def __init__(self, db: firestore.Client, per_hour: int) -> None:
        self._db = db
        self._counters = db.collection(COLLECTION)
        self.per_hour = per_hour

    def take(self, uid: str, now: datetime) -> None:
        """Count one script for ``uid``; TooManyRequests once the hour's are used up."""
        ends_at = _hour_start(now) + timedelta(hours=1)
        ref = self._counters.document(quota_doc_id(uid, now))
        if not _take(self._db.transaction(max_attempts=10), ref, self.per_hour, ends_at):
            left = max(1, math.ceil((ends_at - now).total_seconds()))
            raise TooManyRequests(
                f"you have written {self.per_hour} scripts this hour; try again in "
                f"{math.ceil(left / 60)} min",
                retry_after_s=left,
            )
