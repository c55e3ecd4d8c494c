"""JobStore on Firestore: one document per job in ``jobs/{job_id}``.

Every change is a read-check-write through the pure state machine (shared.jobs), so a late or
duplicate writer can never move a job backwards: the write re-reads the document, and the state
machine refuses or ignores what no longer applies. Status changes are transactions; progress ticks
are writes preconditioned on the document's update time, because on the emulator a transaction
racing a stream of transactional ticks waited up to 10 s (bench/control_latency.py), long
enough for a person's Pause to time out. Documents are the Job model's
JSON-mode dict with datetimes kept as Firestore timestamps; the ``uid`` field is what
firestore.rules checks before a browser may read a job.
"""

from __future__ import annotations

import contextlib
import logging
import random
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any, TypeVar

from google.api_core import exceptions as gexc
from google.cloud import firestore
from google.cloud.firestore_v1 import FieldFilter

from shared.clock import utc_now
from shared.errors import Conflict, InvalidRequest, NotFound, TransientError
from shared.jobs import LIVE, Job, JobEvent, Progress, apply_event, with_feedback
from shared.ports import JobPage, check_cursor, check_page_size

log = logging.getLogger(__name__)

COLLECTION = "jobs"
T = TypeVar("T")
Clock = Callable[[], datetime]


def job_to_doc(job: Job) -> dict[str, Any]:
    """The Firestore document of ``job``: JSON-mode values, datetimes as timestamps."""
    doc = job.model_dump(mode="json")
    for name in Job.model_fields:
        value = getattr(job, name)
        if isinstance(value, datetime):
            doc[name] = value
    return doc


def job_from_doc(doc: dict[str, Any] | None) -> Job:
    return Job.model_validate(doc)


class Contended(TransientError):
    """A transaction lost to other writers of the same documents more often than it retries."""


REPORT_ATTEMPTS = 5  # a tick that lost this many races in a row is dropped; the next one follows

# How long a contended change is retried here before it is handed back (as a nack, which
# Pub/Sub redelivers only after its back-off of ten seconds or more).
CONTENTION_BUDGET_S = 5.0


def transact(
    db: firestore.Client, max_attempts: int, what: str, run: Callable[[firestore.Transaction], T]
) -> T:
    """``run`` in a fresh transaction, contention retried with jittered back-off: the client's own
    attempts follow each other at once, while the other writer may still hold the lock."""
    delay, deadline = 0.05, time.monotonic() + CONTENTION_BUDGET_S
    while True:
        try:
            with firestore_errors(what):
                return run(db.transaction(max_attempts=max_attempts))
        except Contended:
            if time.monotonic() + delay > deadline:
                raise
            time.sleep(delay * (0.5 + random.random()))
            delay = min(2 * delay, 1.0)


@contextlib.contextmanager
def firestore_errors(what: str) -> Iterator[None]:
    """Map Firestore's failures onto ours: contention and outages are TransientError (retry)."""
    try:
        yield
    except ValueError as exc:
        # After max_attempts aborted commits the client raises a plain ValueError whose cause
        # is the last Aborted; any other ValueError (e.g. a corrupt document) is a real bug.
        if isinstance(exc.__cause__, gexc.Aborted):
            raise Contended(f"{what}: too much contention, retry later") from exc
        raise
    except (gexc.Aborted, gexc.ServiceUnavailable, gexc.DeadlineExceeded) as exc:
        raise TransientError(f"{what}: Firestore unavailable ({exc.__class__.__name__})") from exc


@firestore.transactional
def _change_in_transaction(
    transaction: firestore.Transaction,
    ref: firestore.DocumentReference,
    change: Callable[[Job], Job],
) -> Job:
    snapshot = ref.get(transaction=transaction)
    if not snapshot.exists:
        raise NotFound(f"job {ref.id} not found")
    job = job_from_doc(snapshot.to_dict())
    updated = change(job)
    if updated is not job:  # the state machine returns the same object for a no-op
        transaction.set(ref, job_to_doc(updated))
    return updated


class FirestoreJobStore:
    def __init__(
        self,
        db: firestore.Client,
        clock: Clock = utc_now,
        max_attempts: int = 5,
    ) -> None:
        self._db = db
        self._jobs = db.collection(COLLECTION)
        self._clock = clock
        self._max_attempts = max_attempts

    def create(self, job: Job) -> Job:
        with firestore_errors(f"creating job {job.job_id}"):
            try:
                self._jobs.document(job.job_id).create(job_to_doc(job))
            except gexc.AlreadyExists:
                raise Conflict(f"job {job.job_id} already exists") from None
        log.info("job created", extra={"job_id": job.job_id})
        return job

    def get(self, job_id: str) -> Job:
        with firestore_errors(f"reading job {job_id}"):
            snapshot = self._jobs.document(job_id).get()
        if not snapshot.exists:
            raise NotFound(f"job {job_id} not found")
        return job_from_doc(snapshot.to_dict())

    def get_for_user(self, job_id: str, uid: str) -> Job:
        job = self.get(job_id)
        if job.uid != uid:
            raise NotFound(f"job {job_id} not found")  # never reveal that it exists
        return job

    def list_for_user(self, uid: str, limit: int = 20, cursor: str | None = None) -> JobPage:
        check_page_size(limit)
        # Production needs the composite index (uid ASC, created_at DESC); the emulator does not.
        query = self._jobs.where(filter=FieldFilter("uid", "==", uid)).order_by(
            "created_at", direction=firestore.Query.DESCENDING
        )
        with firestore_errors(f"listing jobs of {uid}"):
            if cursor is not None:
                after = self._jobs.document(check_cursor(cursor)).get()
                if not after.exists or after.get("uid") != uid:
                    raise InvalidRequest(f"cursor {cursor!r} is not a page cursor of this user")
                query = query.start_after(after)
            docs = list(query.limit(limit + 1).stream())
        jobs = tuple(job_from_doc(d.to_dict()) for d in docs[:limit])
        next_cursor = jobs[-1].job_id if len(docs) > limit else None
        return JobPage(jobs=jobs, next_cursor=next_cursor)

    def live_for_user(self, uid: str) -> tuple[Job, ...]:
        # Equality and "in" filters only: Firestore's single-field indexes serve it.
        query = self._jobs.where(filter=FieldFilter("uid", "==", uid)).where(
            filter=FieldFilter("status", "in", sorted(s.value for s in LIVE))
        )
        with firestore_errors(f"listing the live jobs of {uid}"):
            return tuple(job_from_doc(d.to_dict()) for d in query.stream())

    def delete(self, job_id: str) -> None:
        with firestore_errors(f"deleting job {job_id}"):
            self._jobs.document(job_id).delete()
        log.info("job deleted", extra={"job_id": job_id})

    def apply(self, job_id: str, event: JobEvent, expected_attempt: int | None = None) -> Job:
        job = self._change(
            job_id,
            lambda job: apply_event(job, event, self._clock(), expected_attempt),
            f"applying {event.kind} to job {job_id}",
        )
        log.info(
            "job event applied",
            extra={"job_id": job_id, "event": event.kind, "status": job.status.value},
        )
        return job

    def report(self, job_id: str, event: Progress) -> Job:
        ref = self._jobs.document(job_id)
        for _ in range(REPORT_ATTEMPTS):
            with firestore_errors(f"reading job {job_id}"):
                snapshot = ref.get()
            if not snapshot.exists:
                raise NotFound(f"job {job_id} not found")
            job = job_from_doc(snapshot.to_dict())
            updated = apply_event(job, event, self._clock())
            if updated is job:
                return job
            unchanged = self._db.write_option(last_update_time=snapshot.update_time)
            try:
                with firestore_errors(f"reporting progress of job {job_id}"):
                    # Every field is written: a map (parts) is replaced whole, not merged.
                    ref.update(job_to_doc(updated), option=unchanged)
                return updated
            except gexc.FailedPrecondition:
                time.sleep(0.02 * random.random())  # another writer came between: read again
        raise Contended(f"progress of job {job_id}: the job kept changing, retry later")

    def set_feedback(
        self, job_id: str, uid: str, *, comment: str | None = None, rating: int | None = None
    ) -> Job:
        def change(job: Job) -> Job:
            if job.uid != uid:
                raise NotFound(f"job {job_id} not found")
            return with_feedback(job, self._clock(), comment=comment, rating=rating)

        return self._change(job_id, change, f"setting feedback on job {job_id}")

    def _change(self, job_id: str, change: Callable[[Job], Job], what: str) -> Job:
        ref = self._jobs.document(job_id)
        job: Job = transact(
            self._db, self._max_attempts, what, lambda t: _change_in_transaction(t, ref, change)
        )
        return job
