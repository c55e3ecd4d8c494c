"""FirestoreJobStore against the Firestore emulator: storage shape, paging, races, fencing.

Tests on the ``store`` fixture also run against tests/fakes.InMemoryJobStore, so the fake that
service tests rely on keeps behaving like the adapter.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import pytest
from google.api_core import exceptions as gexc
from google.cloud import firestore

from shared.adapters.clients import GoogleClients
from shared.adapters.firestore_jobs import COLLECTION, FirestoreJobStore, firestore_errors
from shared.errors import Conflict, InvalidRequest, InvalidTransition, NotFound, TransientError
from shared.jobs import (
    Complete,
    Job,
    JobEvent,
    JobOutput,
    JobStatus,
    Pause,
    Progress,
    Start,
    Warn,
    new_job,
)
from shared.ports import JobStore
from shared.settings import Settings
from tests.fakes import InMemoryJobStore

T0 = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
OUTPUT = JobOutput(video_uri="gs://renders/x.mp4", size_bytes=1234, duration_ms=2000)


@pytest.fixture(scope="module")
def db(settings: Settings) -> Iterator[firestore.Client]:
    clients = GoogleClients(settings)
    yield clients.firestore
    clients.close()


@pytest.fixture(params=[pytest.param("firestore", marks=pytest.mark.emulator), "memory"])
def store(request: pytest.FixtureRequest) -> JobStore:
    """The adapter, and the fake held to the same expectations (the fake's contract test)."""
    if request.param == "memory":
        return InMemoryJobStore()
    return FirestoreJobStore(request.getfixturevalue("db"))


def make_job(unique: Callable[[str], str], uid: str, minutes: int = 0, **fields: object) -> Job:
    return new_job(unique("job"), uid, T0 + timedelta(minutes=minutes), **fields)


def race(count: int, action: Callable[[int], Job]) -> list[Job | Exception]:
    """Run ``action(i)`` in ``count`` threads released together; results in thread order."""
    barrier = threading.Barrier(count)
    results: list[Job | Exception] = [RuntimeError("not run")] * count

    def run(i: int) -> None:
        barrier.wait()
        try:
            results[i] = action(i)
        except Exception as exc:  # collected and asserted on by the caller
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@pytest.mark.emulator
def test_create_then_get_round_trips_and_stores_timestamps(
    db: firestore.Client, unique: Callable[[str], str]
) -> None:
    store = FirestoreJobStore(db)
    job = make_job(
        unique,
        unique("uid"),
        brand_name="Café Olé",
        warnings=("GPU offline",),
        timeline={"version": 1, "video": [{"src": "a.jpg", "duration_ms": 1500}]},
    )
    assert store.create(job) == job
    assert store.get(job.job_id) == job

    raw = db.collection(COLLECTION).document(job.job_id).get().to_dict()
    assert raw is not None
    assert raw["uid"] == job.uid  # the field firestore.rules checks
    assert raw["status"] == "pending"
    assert isinstance(raw["created_at"], datetime)  # a Firestore timestamp, not an ISO string
    assert raw["created_at"] == T0
    assert raw["warnings"] == ["GPU offline"]


def test_create_twice_is_a_conflict(store: JobStore, unique: Callable[[str], str]) -> None:
    job = store.create(make_job(unique, unique("uid")))
    with pytest.raises(Conflict, match=job.job_id):
        store.create(job.model_copy(update={"brand_name": "other"}))
    assert store.get(job.job_id).brand_name == ""


def test_missing_and_foreign_jobs_are_not_found(
    store: JobStore, unique: Callable[[str], str]
) -> None:
    job = store.create(make_job(unique, unique("alice")))
    assert store.get_for_user(job.job_id, job.uid) == job
    with pytest.raises(NotFound):
        store.get_for_user(job.job_id, unique("bob"))
    with pytest.raises(NotFound):
        store.get(unique("missing"))
    with pytest.raises(NotFound):
        store.apply(unique("missing"), Start(worker_id="w"))


def test_list_is_newest_first_paged_and_per_user(
    store: JobStore, unique: Callable[[str], str]
) -> None:
    alice, bob = unique("alice"), unique("bob")
    mine = [store.create(make_job(unique, alice, minutes=m)) for m in (3, 1, 4, 0, 2)]
    store.create(make_job(unique, bob, minutes=10))

    pages = []
    cursor = None
    while True:
        page = store.list_for_user(alice, limit=2, cursor=cursor)
        pages.append([job.job_id for job in page.jobs])
        cursor = page.next_cursor
        if cursor is None:
            break
    newest_first = [j.job_id for j in sorted(mine, key=lambda j: j.created_at, reverse=True)]
    assert pages == [newest_first[0:2], newest_first[2:4], newest_first[4:5]]
    assert store.list_for_user(unique("nobody")).jobs == ()

    with pytest.raises(InvalidRequest, match="limit"):
        store.list_for_user(alice, limit=0)
    bobs = store.list_for_user(bob).jobs[0].job_id
    with pytest.raises(InvalidRequest, match="cursor"):
        store.list_for_user(alice, cursor=bobs)  # another user's job is no cursor for alice


@pytest.mark.parametrize("workers", [2, 4])
def test_racing_claims_have_exactly_one_winner(
    store: JobStore, unique: Callable[[str], str], workers: int
) -> None:
    job = store.create(make_job(unique, unique("uid")))

    results = race(workers, lambda i: store.apply(job.job_id, Start(worker_id=f"worker-{i}")))

    winners = [r for r in results if isinstance(r, Job)]
    losers = [r for r in results if not isinstance(r, Job)]
    assert len(winners) == 1, results
    assert all(isinstance(r, InvalidTransition) for r in losers), losers
    assert all("already processing" in str(r) for r in losers)
    stored = store.get(job.job_id)
    assert stored.status is JobStatus.PROCESSING
    assert stored.worker_id == winners[0].worker_id
    assert (stored.attempt, stored.version) == (1, 1)


def test_a_late_processing_write_cannot_undo_done(
    store: JobStore, unique: Callable[[str], str]
) -> None:
    job = store.create(make_job(unique, unique("uid")))
    store.apply(job.job_id, Start(worker_id="gpu-1"), expected_attempt=0)
    store.apply(job.job_id, Progress(progress=40, step="Rendering"), expected_attempt=1)
    done = store.apply(job.job_id, Complete(output=OUTPUT), expected_attempt=1)
    assert done.status is JobStatus.DONE

    with pytest.raises(InvalidTransition, match="done"):
        store.apply(job.job_id, Start(worker_id="cpu-1"))
    late_progress = store.apply(job.job_id, Progress(progress=40, step="Rendering"))
    assert late_progress == done
    assert store.get(job.job_id) == done  # nothing was written


def test_a_stale_attempt_is_fenced_off(store: JobStore, unique: Callable[[str], str]) -> None:
    job = store.create(make_job(unique, unique("uid")))
    started = store.apply(job.job_id, Start(worker_id="gpu-1"))
    with pytest.raises(Conflict, match="attempt 1, not 0"):
        store.apply(job.job_id, Complete(output=OUTPUT), expected_attempt=0)
    assert store.get(job.job_id) == started


@pytest.mark.emulator
def test_concurrent_warnings_are_never_lost(
    db: firestore.Client, unique: Callable[[str], str]
) -> None:
    # One transaction attempt each: contention surfaces as TransientError, and every warning whose
    # apply() succeeded is in the document (no lost update), none of the failed ones is.
    store = FirestoreJobStore(db, max_attempts=1)
    events: list[JobEvent] = [Warn(message=f"fallback {i}") for i in range(6)]
    # The emulator may abort every one of a race's transactions (seen once under load in CI):
    # race again, on a fresh job, until one got through; every race must lose nothing.
    for _ in range(5):
        job = store.create(make_job(unique, unique("uid")))
        results = race(len(events), lambda i: store.apply(job.job_id, events[i]))  # noqa: B023
        assert all(isinstance(r, Job | TransientError) for r in results), results
        applied = {f"fallback {i}" for i, r in enumerate(results) if isinstance(r, Job)}
        assert set(store.get(job.job_id).warnings) == applied
        if applied:
            break
    else:
        pytest.fail("in 5 races not one warning was applied")


@pytest.mark.emulator
def test_a_progress_tick_never_undoes_a_change_that_came_between(
    db: firestore.Client, unique: Callable[[str], str]
) -> None:
    # The tick reads a processing job; before it writes, the person pauses it. The tick must not
    # turn the job back into processing at 50 % (it writes only an unchanged document).
    person = FirestoreJobStore(db)
    job = person.create(make_job(unique, unique("uid")))
    person.apply(job.job_id, Start(worker_id="gpu-1"))
    paused: list[Job] = []

    def clock() -> datetime:  # called between the tick's read and its write
        if not paused:
            paused.append(person.apply(job.job_id, Pause()))
        return T0

    ticked = FirestoreJobStore(db, clock=clock).report(job.job_id, Progress(progress=50.0))
    assert ticked.status is JobStatus.PAUSED and ticked.progress == 0.0
    assert person.get(job.job_id) == paused[0]


@pytest.mark.emulator
def test_concurrent_part_reports_add_up(db: firestore.Client, unique: Callable[[str], str]) -> None:
    # Segments on different workers report at once; a report that lost a race reads again, so
    # every part that was reported is in the document (none overwrote another).
    store = FirestoreJobStore(db)
    job = store.create(make_job(unique, unique("uid")))
    store.apply(job.job_id, Start(worker_id="gpu-1"))
    ticks = [Progress(progress=10.0, part=f"segment-{i}", points=5.0) for i in range(4)]
    results = race(len(ticks), lambda i: store.report(job.job_id, ticks[i]))
    assert all(isinstance(r, Job | TransientError) for r in results), results
    reported = {t.part for t, r in zip(ticks, results, strict=True) if isinstance(r, Job)}
    assert reported, results
    stored = store.get(job.job_id)
    assert set(stored.parts) == reported
    assert stored.progress == 10.0 + 5.0 * len(reported)


def test_feedback_is_owner_only_and_validated(
    store: JobStore, unique: Callable[[str], str]
) -> None:
    job = store.create(make_job(unique, unique("uid")))
    rated = store.set_feedback(job.job_id, job.uid, comment="Great ad", rating=5)
    assert (rated.comment, rated.rating, rated.status) == ("Great ad", 5, JobStatus.PENDING)
    assert store.get(job.job_id) == rated
    with pytest.raises(NotFound):
        store.set_feedback(job.job_id, unique("intruder"), rating=1)
    with pytest.raises(InvalidRequest, match="rating"):
        store.set_feedback(job.job_id, job.uid, rating=9)
    assert store.get(job.job_id) == rated


def test_exhausted_transaction_retries_become_transient() -> None:
    # The exact shape the Firestore client raises after max_attempts aborted commits.
    with pytest.raises(TransientError, match="contention"), firestore_errors("claiming"):
        raise ValueError("Failed to commit transaction in 5 attempts.") from gexc.Aborted("x")
    with pytest.raises(ValueError, match="corrupt"), firestore_errors("reading"):
        raise ValueError("corrupt document")
