"""Counters per user and period in Firestore (functions and workers run many instances): the
hourly script limit, and the daily allowances of paid provider calls (shared/usage.py).

One document per user, meter and period, ``usage/{sha256(uid)}-{meter}-{period}``, taken in a
transaction; a past period's document is left behind, small and never read again (a TTL policy
on ``expires_at`` removes it in the cloud).
"""

from __future__ import annotations

import hashlib
import math
from datetime import datetime, timedelta

from google.cloud import firestore

from shared.errors import TooManyRequests

COLLECTION = "usage"


def usage_doc_id(uid: str, meter: str, period: str) -> str:
    return f"{hashlib.sha256(uid.encode()).hexdigest()[:32]}-{meter}-{period}"


@firestore.transactional
def _take(
    transaction: firestore.Transaction,
    ref: firestore.DocumentReference,
    amount: int,
    limit: int,
    ends_at: datetime,
) -> int | None:
    """Count ``amount`` if it fits under ``limit``: None; else what is used (nothing counted)."""
    snapshot = ref.get(transaction=transaction)
    used = int((snapshot.to_dict() or {}).get("count", 0)) if snapshot.exists else 0
    if used + amount > limit:
        return used
    transaction.set(ref, {"count": used + amount, "expires_at": ends_at})
    return None


class FirestoreUsageMeter:
    """The ``shared.usage.UsageMeter`` of the deployment: per user, per UTC day."""

    def __init__(self, db: firestore.Client) -> None:
        self._db = db
        self._counters = db.collection(COLLECTION)

    def take(self, uid: str, meter: str, amount: int, limit: int, now: datetime) -> int | None:
        day = now.replace(hour=0, minute=0, second=0, microsecond=0)
        ref = self._counters.document(usage_doc_id(uid, meter, f"{day:%Y%m%d}"))
        transaction = self._db.transaction(max_attempts=10)
        used: int | None = _take(transaction, ref, amount, limit, day + timedelta(days=1))
        return used


class FirestoreHourlyQuota:
    """Scripts per user per clock hour (``POST /api/scripts``)."""

    def __init__(self, db: firestore.Client, per_hour: int) -> None:
        self._db = db
        self._counters = db.collection(COLLECTION)
        self.per_hour = per_hour

    def take(self, uid: str, now: datetime) -> None:
        """Count one script for ``uid``; TooManyRequests once the hour's are used up."""
        hour = now.replace(minute=0, second=0, microsecond=0)
        ends_at = hour + timedelta(hours=1)
        ref = self._counters.document(usage_doc_id(uid, "scripts", f"{hour:%Y%m%d%H}"))
        if _take(self._db.transaction(max_attempts=10), ref, 1, self.per_hour, ends_at) is None:
            return
        left = max(1, math.ceil((ends_at - now).total_seconds()))
        raise TooManyRequests(
            f"you have written {self.per_hour} scripts this hour; try again in "
            f"{math.ceil(left / 60)} min",
            retry_after_s=left,
        )
