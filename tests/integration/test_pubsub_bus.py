"""PubSubEventBus and its consumers against the Pub/Sub emulator (fresh topology per test)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from pydantic import BaseModel

from shared.adapters.clients import GoogleClients
from shared.adapters.provisioning import ensure_topology
from shared.adapters.pubsub_bus import (
    MESSAGE_TYPE_ATTR,
    SCHEMA_VERSION,
    SCHEMA_VERSION_ATTR,
    Outcome,
    PubSubEventBus,
    PullWorker,
    decode,
    subscribe_streaming,
)
from shared.errors import ConfigError, InvalidRequest, TransientError
from shared.ports import Delivery
from shared.settings import Settings
from shared.topology import RetryPolicy, Subscription, Topology

pytestmark = pytest.mark.emulator

ACK_DEADLINE_S = 10
DLQ_ATTEMPTS = 5


class RenderRequested(BaseModel):
    job_id: str
    attempt: int


@dataclass(frozen=True)
class Queue:
    """One topic with a dead-lettering subscription, and the dead-letter inbox, all fresh."""

    bus: PubSubEventBus
    clients: GoogleClients
    topic: str
    subscription: str
    dead_letters: str


@pytest.fixture
def queue(settings: Settings, unique: Callable[[str], str]) -> Iterator[Queue]:
    topic, dlq = unique("topic"), unique("dlq")
    sub, inbox = unique("sub"), unique("inbox")
    topology = Topology(
        topics=(topic, dlq),
        subscriptions=(
            Subscription(sub, topic, ACK_DEADLINE_S, DLQ_ATTEMPTS, RetryPolicy(0, 0)),
            Subscription(inbox, dlq, ACK_DEADLINE_S, max_delivery_attempts=None),
        ),
        dead_letter_topic=dlq,
    )
    clients = GoogleClients(settings)
    ensure_topology(settings, topology, publisher=clients.publisher, subscriber=clients.subscriber)
    bus = PubSubEventBus.from_clients(clients)
    yield Queue(bus, clients, settings.topic(topic), settings.topic(sub), settings.topic(inbox))
    clients.close()


def pull_one(queue: Queue, subscription: str | None = None, timeout_s: float = 10.0) -> Delivery:
    deliveries = queue.bus.pull(subscription or queue.subscription, timeout_s=timeout_s)
    assert len(deliveries) == 1, deliveries
    return deliveries[0]


def wait_for_dead_letter(queue: Queue, timeout_s: float = 30.0) -> Delivery:
    """Pull the source (never a 6th delivery) and the inbox until the dead letter arrives.

    The emulator forwards a dead letter only while a pull on the source subscription is waiting.
    """
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        assert queue.bus.pull(queue.subscription, timeout_s=2.5) == []
        dead = queue.bus.pull(queue.dead_letters, timeout_s=0.5)
        if dead:
            return dead[0]
    raise AssertionError(f"no dead letter on {queue.dead_letters} after {timeout_s} s")


def test_publish_returns_an_id_and_pull_ack_settles(queue: Queue) -> None:
    message = RenderRequested(job_id="job-1", attempt=1)
    message_id = queue.bus.publish(queue.topic, message, {"kind": "render"})
    assert message_id

    delivery = pull_one(queue)
    assert delivery.message_id == message_id
    assert delivery.attributes == {
        "kind": "render",
        MESSAGE_TYPE_ATTR: "RenderRequested",
        SCHEMA_VERSION_ATTR: SCHEMA_VERSION,
    }
    assert delivery.delivery_attempt == 1
    assert decode(delivery, RenderRequested) == message

    queue.bus.ack(queue.subscription, [delivery.ack_id])
    assert queue.bus.pull(queue.subscription, timeout_s=1.5) == []


def test_reserved_or_non_string_attributes_are_refused(queue: Queue) -> None:
    message = RenderRequested(job_id="job-1", attempt=1)
    with pytest.raises(ValueError, match="set by the event bus"):
        queue.bus.publish(queue.topic, message, {SCHEMA_VERSION_ATTR: "9"})
    with pytest.raises(ValueError, match="strings"):
        queue.bus.publish(queue.topic, message, {"attempt": 1})  # type: ignore[dict-item]


def test_missing_topic_or_subscription_is_a_config_error(
    queue: Queue, unique: Callable[[str], str]
) -> None:
    missing = unique("missing")
    with pytest.raises(ConfigError, match=f"topic {missing} does not exist"):
        queue.bus.publish(missing, RenderRequested(job_id="j", attempt=1))
    with pytest.raises(ConfigError, match=f"subscription {missing} does not exist"):
        queue.bus.pull(missing, timeout_s=2)


@pytest.mark.slow
def test_nack_redelivers_then_dead_letters_after_max_attempts(queue: Queue) -> None:
    message_id = queue.bus.publish(queue.topic, RenderRequested(job_id="job-2", attempt=1))

    for attempt in range(1, DLQ_ATTEMPTS + 1):
        delivery = pull_one(queue)
        assert (delivery.message_id, delivery.delivery_attempt) == (message_id, attempt)
        queue.bus.nack(queue.subscription, [delivery.ack_id])

    dead = wait_for_dead_letter(queue)
    assert dead.attributes["CloudPubSubDeadLetterSourceDeliveryCount"] == str(DLQ_ATTEMPTS)
    assert dead.attributes[MESSAGE_TYPE_ATTR] == "RenderRequested"  # original attributes kept
    assert decode(dead, RenderRequested).job_id == "job-2"
    queue.bus.ack(queue.dead_letters, [dead.ack_id])
    assert queue.bus.pull(queue.subscription, timeout_s=1.5) == []


@pytest.mark.slow
def test_worker_keeps_a_long_job_leased_past_the_ack_deadline(queue: Queue) -> None:
    queue.bus.publish(queue.topic, RenderRequested(job_id="job-3", attempt=1))
    redelivered: list[Delivery] = []

    def handle(message: RenderRequested, delivery: Delivery) -> None:
        # Work longer than the subscription's 10 s deadline, watching for a redelivery.
        redelivered.extend(queue.bus.pull(queue.subscription, timeout_s=ACK_DEADLINE_S + 3))

    worker = PullWorker(
        queue.bus, queue.subscription, RenderRequested, handle, lease_s=10, extend_every_s=3
    )
    assert worker.run_once(timeout_s=10) is Outcome.ACKED
    assert redelivered == []
    assert queue.bus.pull(queue.subscription, timeout_s=1.5) == []


def test_worker_settles_by_outcome(queue: Queue) -> None:
    seen: list[str] = []
    failures: dict[str, Exception] = {
        "transient": TransientError("TTS unavailable"),
        "bad-input": InvalidRequest("photo deleted"),
    }

    def handle(message: RenderRequested, delivery: Delivery) -> None:
        seen.append(message.job_id)
        if message.job_id in failures and seen.count(message.job_id) == 1:
            raise failures[message.job_id]

    worker = PullWorker(queue.bus, queue.subscription, RenderRequested, handle, lease_s=10)
    for job_id in ("ok", "transient", "bad-input"):
        queue.bus.publish(queue.topic, RenderRequested(job_id=job_id, attempt=1))
        assert worker.run_once(timeout_s=10) is not None
    # The transient failure was nacked and comes back once; the others were acked for good.
    assert worker.run_once(timeout_s=10) is Outcome.ACKED
    assert worker.run_once(timeout_s=1.5) is None
    assert sorted(seen) == ["bad-input", "ok", "transient", "transient"]


def test_a_restarted_worker_still_receives(queue: Queue, settings: Settings) -> None:
    # The emulator loses later messages of a subscription once a streaming pull on it closed
    # (notes §0.4); a synchronous-pull worker must keep receiving across process restarts.
    handled: list[str] = []

    def handle(message: RenderRequested, delivery: Delivery) -> None:
        handled.append(message.job_id)

    for job_id in ("before-restart", "after-restart"):
        clients = GoogleClients(settings)  # a fresh process's clients
        bus = PubSubEventBus.from_clients(clients)
        bus.publish(queue.topic, RenderRequested(job_id=job_id, attempt=1))
        worker = PullWorker(bus, queue.subscription, RenderRequested, handle, lease_s=10)
        assert worker.run_once(timeout_s=10) is Outcome.ACKED
        clients.close()
    assert handled == ["before-restart", "after-restart"]


def test_poison_messages_are_acked_not_retried(queue: Queue) -> None:
    path = queue.bus.topic_path(queue.topic)
    publisher = queue.clients.publisher
    poison = [
        publisher.publish(path, b"{not json", message_type="RenderRequested", schema_version="1"),
        publisher.publish(path, b'{"job_id": "x", "attempt": 1}', message_type="RenderRequested"),
        publisher.publish(path, b'{"job_id": "x"}', message_type="Other", schema_version="1"),
    ]
    for future in poison:
        future.result(timeout=30)
    handled: list[RenderRequested] = []
    worker = PullWorker(
        queue.bus, queue.subscription, RenderRequested, lambda m, d: handled.append(m), lease_s=10
    )

    outcomes = [worker.run_once(timeout_s=10) for _ in poison]

    assert outcomes == [Outcome.POISON] * len(poison)
    assert handled == []
    assert queue.bus.pull(queue.subscription, timeout_s=1.5) == []
    assert queue.bus.pull(queue.dead_letters, timeout_s=1.5) == []


def test_streaming_pull_handles_one_message_at_a_time(queue: Queue) -> None:
    lock = threading.Lock()
    in_flight, most_in_flight, done = [0], [0], threading.Event()
    handled: list[str] = []

    def handle(message: RenderRequested, delivery: Delivery) -> None:
        with lock:
            in_flight[0] += 1
            most_in_flight[0] = max(most_in_flight[0], in_flight[0])
        time.sleep(0.3)
        with lock:
            in_flight[0] -= 1
            handled.append(message.job_id)
            if len(handled) == 3:
                done.set()

    for i in range(3):
        queue.bus.publish(queue.topic, RenderRequested(job_id=f"job-{i}", attempt=1))
    future = subscribe_streaming(
        queue.clients.subscriber,
        queue.bus.subscription_path(queue.subscription),
        RenderRequested,
        handle,
        max_lease_s=600,
        max_extension_s=10,
    )
    try:
        assert done.wait(timeout=60), handled
    finally:
        future.cancel()
        future.result(timeout=30)
    assert sorted(handled) == ["job-0", "job-1", "job-2"]
    assert most_in_flight[0] == 1
