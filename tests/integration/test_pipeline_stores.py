"""The pipeline's Firestore adapters on the emulator: task-graph transactions under racing
claims, heartbeats stamped with server time and scoped per deployment, media reads per owner."""

from __future__ import annotations

import random
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from shared.adapters.clients import GoogleClients
from shared.adapters.firestore_media import FirestoreMediaLibrary
from shared.adapters.firestore_pipeline import FirestorePipelineStore
from shared.adapters.firestore_usage import FirestoreUsageMeter
from shared.adapters.firestore_workers import FirestoreWorkerRegistry
from shared.errors import Conflict, NotFound, TransientError
from shared.pipeline import taskgraph as tg
from shared.pipeline.heartbeat import Heartbeat
from shared.pipeline.media_item import MediaItem, MediaKindName
from shared.pipeline.messages import Route, TaskKind
from shared.settings import Settings
from shared.timeline.validate import parse_timeline

pytestmark = pytest.mark.emulator

TIMELINE = parse_timeline({"video": [{"kind": "photo", "source": "a.jpg", "duration_ms": 1000}]})


def test_racing_claims_have_one_winner(settings: Settings) -> None:
    store = FirestorePipelineStore(GoogleClients(settings).firestore, deployment="race-")
    job_id = f"race-{uuid.uuid4().hex[:8]}"
    now = datetime.now(UTC)
    store.create(tg.plan(job_id, "alice", TIMELINE, now, script="Hi"))
    assert store.create(tg.plan(job_id, "bob", TIMELINE, now)).uid == "alice"  # kept
    store.change(job_id, lambda p: tg.queue(p, "voice", Route.GPU, now))
    barrier, won, lost = threading.Barrier(6), [], []

    def claim(worker: str) -> None:
        barrier.wait()
        # Contention on the emulator surfaces as TransientError: a worker nacks and Pub/Sub
        # redelivers after a back-off, as here (on a loaded 2-core box 20 tight retries ran out).
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                store.change(job_id, lambda p: tg.claim(p, "voice", 1, worker, now))
                won.append(worker)
                return
            except Conflict:
                lost.append(worker)
                return
            except TransientError:
                time.sleep(random.uniform(0.05, 0.5))

    threads = [threading.Thread(target=claim, args=(f"w{n}",)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(won) == 1 and len(lost) == 5
    task = store.get(job_id).task("voice")
    assert (task.state, task.worker_id) == (tg.TaskState.RUNNING, won[0])
    assert job_id in {p.job_id for p in store.live()}
    store.change(job_id, lambda p: tg.end(p, now))
    assert job_id not in {p.job_id for p in store.live()}
    other = FirestorePipelineStore(GoogleClients(settings).firestore, deployment="else-")
    assert job_id not in {p.job_id for p in other.live()}  # another deployment's sweeper
    with pytest.raises(NotFound):
        store.change("no-such-job", lambda p: p)


def test_heartbeats_are_server_stamped_and_scoped(settings: Settings) -> None:
    db = GoogleClients(settings).firestore
    prefix = f"hb{uuid.uuid4().hex[:6]}-"
    mine, theirs = FirestoreWorkerRegistry(db, prefix), FirestoreWorkerRegistry(db, "x" + prefix)
    skewed = datetime.now(UTC) - timedelta(hours=3)  # a box whose clock is 3 h slow
    beat = Heartbeat(worker_id="gpu-1", route=Route.GPU, tasks=(TaskKind.RENDER,),
                     started_at=skewed, last_pull_at=skewed)  # fmt: skip
    mine.beat(beat)
    theirs.beat(beat.model_copy(update={"tasks": (TaskKind.MUSIC,)}))
    stored = mine.get("gpu-1")
    assert stored is not None and stored.updated_at is not None
    assert abs((stored.updated_at - datetime.now(UTC)).total_seconds()) < 30  # the server's
    assert [b.tasks for b in mine.all()] == [(TaskKind.RENDER,)]
    assert [b.tasks for b in theirs.all()] == [(TaskKind.MUSIC,)]
    assert mine.get("gpu-2") is None


def test_media_is_read_only_by_its_owner(settings: Settings) -> None:
    db = GoogleClients(settings).firestore
    media_id = f"m{uuid.uuid4().hex[:10]}"
    item = MediaItem(media_id=media_id, uid="alice", kind=MediaKindName.IMAGE,
                     object_name=f"uploads/alice/{media_id}.jpg", content_type="image/jpeg",
                     size_bytes=10, created_at=datetime.now(UTC))  # fmt: skip
    db.collection("media").document(media_id).set(item.model_dump())
    library = FirestoreMediaLibrary(db)
    assert library.get_for_user(media_id, "alice") == item
    with pytest.raises(NotFound):
        library.get_for_user(media_id, "mallory")
    with pytest.raises(NotFound):
        library.get("nope")


def test_daily_usage_is_counted_per_user_and_day_and_never_over_the_limit(
    settings: Settings,
) -> None:
    meter = FirestoreUsageMeter(GoogleClients(settings).firestore)
    uid, day = f"u{uuid.uuid4().hex[:8]}", datetime(2026, 12, 3, 23, 59, tzinfo=UTC)
    results: list[int | None] = []

    def take() -> None:
        results.append(meter.take(uid, "veo-seconds", 4, 10, day))

    threads = [threading.Thread(target=take) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # Two fit in 10; a refusal is seen only once 8 are used, and says so.
    assert sorted(results, key=str) == [8, 8, None, None], results
    assert meter.take(uid, "veo-seconds", 2, 10, day) is None  # 10 of 10
    assert meter.take(uid, "veo-seconds", 1, 10, day) == 10
    assert meter.take(uid, "veo-seconds", 4, 10, day + timedelta(minutes=1)) is None  # next day
    assert meter.take(uid, "tts", 4, 10, day) is None  # another meter
