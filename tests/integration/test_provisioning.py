"""ensure_topology / ensure_bucket against the emulators: idempotent, and configured as designed."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any

import pytest
from google.cloud.pubsub_v1 import SubscriberClient

from shared.adapters.clients import GoogleClients
from shared.adapters.provisioning import (
    ensure_bucket,
    ensure_topology,
    subscription_path,
    topic_path,
)
from shared.settings import Settings
from shared.topology import DEAD_LETTER_INBOX, DEFAULT_TOPOLOGY, ORCHESTRATOR, RetryPolicy

pytestmark = pytest.mark.emulator


@pytest.fixture
def fresh(settings: Settings, unique: Callable[[str], str]) -> Settings:
    """Settings whose prefix no other test uses: a topology of its own on the shared emulator."""
    return replace(settings, topic_prefix=unique("p") + "-")


@pytest.fixture
def clients(settings: Settings) -> Iterator[GoogleClients]:
    built = GoogleClients(settings)
    yield built
    built.close()


def all_paths(settings: Settings) -> set[str]:
    return {topic_path(settings, t) for t in DEFAULT_TOPOLOGY.topics} | {
        subscription_path(settings, s.name) for s in DEFAULT_TOPOLOGY.subscriptions
    }


def test_second_call_is_a_no_op(fresh: Settings, clients: GoogleClients) -> None:
    first = ensure_topology(fresh)
    second = ensure_topology(fresh)

    assert set(first.created) == all_paths(fresh) and first.existing == ()
    assert second.created == () and set(second.existing) == all_paths(fresh)
    listed = {t.name for t in clients.publisher.list_topics(project=f"projects/{fresh.project_id}")}
    assert {topic_path(fresh, t) for t in DEFAULT_TOPOLOGY.topics} <= listed


def test_subscriptions_read_back_as_designed(fresh: Settings, clients: GoogleClients) -> None:
    ensure_topology(fresh)
    dead_letter = topic_path(fresh, DEFAULT_TOPOLOGY.dead_letter_topic)

    for spec in DEFAULT_TOPOLOGY.subscriptions:
        got = clients.subscriber.get_subscription(subscription=subscription_path(fresh, spec.name))
        assert got.topic == topic_path(fresh, spec.topic)
        assert got.ack_deadline_seconds == spec.ack_deadline_s
        # An expiration policy with an empty TTL is "never expires"; none at all is 31 days.
        assert "expiration_policy" in got and got.expiration_policy.ttl.total_seconds() == 0
        assert got.retry_policy.minimum_backoff.total_seconds() == spec.retry.minimum_backoff_s
        assert got.retry_policy.maximum_backoff.total_seconds() == spec.retry.maximum_backoff_s
        if spec.name == DEAD_LETTER_INBOX:
            assert "dead_letter_policy" not in got
        else:
            assert got.dead_letter_policy.dead_letter_topic == dead_letter
            assert got.dead_letter_policy.max_delivery_attempts == 5


@pytest.mark.slow
def test_a_rejected_message_ends_in_the_dead_letter_inbox(
    fresh: Settings, clients: GoogleClients
) -> None:
    # The emulator honours the retry policy's backoff (attempts 3-5 came 13, 32 and 53 s apart
    # with the default 10-600 s), so this topology differs from the default in that one thing.
    no_backoff = RetryPolicy(minimum_backoff_s=0, maximum_backoff_s=0)
    ensure_topology(
        fresh,
        replace(
            DEFAULT_TOPOLOGY,
            subscriptions=tuple(
                replace(s, retry=no_backoff) for s in DEFAULT_TOPOLOGY.subscriptions
            ),
        ),
    )
    orchestrator = subscription_path(fresh, ORCHESTRATOR)
    inbox = subscription_path(fresh, DEAD_LETTER_INBOX)
    clients.publisher.publish(topic_path(fresh, "jobs"), b"poison", job="j1").result(timeout=10)

    attempts = []
    # Nack every delivery until the subscription stops delivering. (The emulator forwards a
    # message to the dead-letter topic when it would deliver it a sixth time, i.e. on the pull
    # after the fifth nack.)
    while received := pull(clients.subscriber, orchestrator, timeout_s=5):
        attempts.append(received[0].delivery_attempt)
        clients.subscriber.modify_ack_deadline(  # nack
            subscription=orchestrator, ack_ids=[received[0].ack_id], ack_deadline_seconds=0
        )
        assert len(attempts) <= 5, f"delivered {attempts} times, never dead-lettered"

    (dead,) = pull(clients.subscriber, inbox)
    assert attempts == [1, 2, 3, 4, 5]
    assert dead.message.data == b"poison"
    assert dead.message.attributes["job"] == "j1"
    assert (
        dead.message.attributes["CloudPubSubDeadLetterSourceSubscription"]
        == (orchestrator.rsplit("/", 1)[1])
    )


def pull(subscriber: SubscriberClient, path: str, timeout_s: float = 20) -> list[Any]:
    response = subscriber.pull(subscription=path, max_messages=1, timeout=timeout_s)
    return list(response.received_messages)


def test_the_stack_provisioned_the_default_topology_and_buckets(
    settings: Settings, clients: GoogleClients
) -> None:
    for spec in DEFAULT_TOPOLOGY.subscriptions:
        path = subscription_path(settings, spec.name)
        assert clients.subscriber.get_subscription(subscription=path).name == path
    for bucket in (settings.media_bucket, settings.renders_bucket):
        assert clients.storage.lookup_bucket(bucket) is not None


def test_ensure_bucket_is_idempotent(
    settings: Settings, clients: GoogleClients, unique: Callable[[str], str]
) -> None:
    name = unique("bucket")
    assert clients.storage.lookup_bucket(name) is None

    assert ensure_bucket(settings, name) is True
    assert ensure_bucket(settings, name) is False
    assert clients.storage.lookup_bucket(name) is not None
