"""The in-memory fakes behave like the adapters where services can tell (the job store's contract
is checked in tests/integration/test_firestore_jobs.py, side by side with Firestore)."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import BaseModel, TypeAdapter

from shared.adapters.pubsub_bus import Outcome, PullWorker, decode
from shared.errors import InvalidRequest, NotFound, PayloadTooLarge, TransientError
from shared.pipeline.messages import JobCreated, JobMessage, TaskCommand, TaskFinished
from shared.ports import BlobStore, Delivery, EventBus, JobStore
from tests.fakes import InMemoryBlobStore, InMemoryJobStore, RecordingEventBus

# The fakes satisfy the ports (checked by mypy when it reads this file).
_PORTS: tuple[JobStore, EventBus, BlobStore] = (
    InMemoryJobStore(),
    RecordingEventBus(),
    InMemoryBlobStore(),
)


class Ping(BaseModel):
    n: int


def test_bus_records_and_delivers_to_attached_subscriptions() -> None:
    bus = RecordingEventBus()
    bus.attach("orchestrator", "jobs")
    message_id = bus.publish("jobs", Ping(n=1), {"kind": "test"})
    bus.publish("elsewhere", Ping(n=2))

    assert bus.messages("jobs") == [Ping(n=1)]
    [delivery] = bus.pull("orchestrator")
    assert (delivery.message_id, delivery.delivery_attempt) == (message_id, 1)
    assert delivery.attributes["kind"] == "test"
    assert decode(delivery, Ping) == Ping(n=1)
    assert bus.pull("orchestrator") == []  # leased
    with pytest.raises(NotFound, match="nowhere"):
        bus.pull("nowhere")


def test_bus_refuses_what_pubsub_refuses() -> None:
    with pytest.raises(ValueError, match="strings"):
        RecordingEventBus().publish("jobs", Ping(n=1), {"n": 1})  # type: ignore[dict-item]


def test_worker_policy_on_the_fake_bus() -> None:
    bus = RecordingEventBus()
    bus.attach("work", "jobs")
    calls: list[int] = []

    def handle(message: Ping, delivery: Delivery) -> None:
        calls.append(message.n)
        if message.n == 1 and delivery.delivery_attempt == 1:
            raise TransientError("try again")
        if message.n == 2:
            raise InvalidRequest("never valid")

    worker = PullWorker(bus, "work", Ping, handle, lease_s=10)
    bus.publish("jobs", Ping(n=1))
    assert worker.run_once() is Outcome.NACKED
    [redelivered] = bus.pull("work")
    assert redelivered.delivery_attempt == 2
    bus.nack("work", [redelivered.ack_id])
    assert worker.run_once() is Outcome.ACKED

    bus.publish("jobs", Ping(n=2))
    assert worker.run_once() is Outcome.ACKED  # permanent: acked, not retried
    assert worker.run_once() is None
    assert calls == [1, 1, 2]


def test_worker_decodes_a_union_of_message_kinds() -> None:
    # One subscription, several kinds (the pipeline's "jobs" topic): a TypeAdapter of the union.
    bus = RecordingEventBus()
    bus.attach("orchestrator", "jobs")
    got: list[object] = []
    worker = PullWorker(
        bus, "orchestrator", TypeAdapter(JobMessage), lambda m, d: got.append(m), lease_s=10
    )
    finished = TaskFinished(job_id="j1", task="render", attempt=1, worker_id="gpu-1")
    bus.publish("jobs", JobCreated(job_id="j1"))
    bus.publish("jobs", finished)
    bus.publish(
        "jobs", TaskCommand(job_id="j1", task="render", task_kind="render", attempt=1, route="gpu")
    )

    assert [worker.run_once() for _ in range(4)] == [
        Outcome.ACKED,
        Outcome.ACKED,
        Outcome.POISON,  # a task command is not a job message
        None,
    ]
    assert got == [JobCreated(job_id="j1"), finished]


def test_blob_store_fake(tmp_path: Path) -> None:
    blobs = InMemoryBlobStore(max_upload_bytes=100)
    source = tmp_path / "a.txt"
    source.write_text("hello")
    assert blobs.upload_file("x/a.txt", source, "text/plain") == "gs://fake-bucket/x/a.txt"
    assert blobs.download_file("x/a.txt", tmp_path / "b.txt").read_text() == "hello"
    blobs.delete("x/a.txt")
    assert not blobs.exists("x/a.txt")
    with pytest.raises(NotFound):
        blobs.download_file("x/a.txt", tmp_path / "c.txt")

    signed = blobs.signed_put_url("x/up.png", "image/png", 50)
    assert signed.headers["x-goog-content-length-range"] == "50,50"
    with pytest.raises(PayloadTooLarge):
        blobs.signed_put_url("x/up.png", "image/png", 101)
    with pytest.raises(InvalidRequest, match="lifetime"):
        blobs.signed_get_url("x/up.png", ttl_s=10_000)
