"""Create the Pub/Sub topology and the buckets, idempotently (the local stack's Terraform).

Both functions may run any number of times: what exists is left alone (reported as existing),
what is missing is created. Clients passed in belong to the caller; any not passed in are built
from ``GoogleClients(settings)`` and closed here.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from google.api_core import exceptions
from google.cloud.pubsub_v1 import PublisherClient, SubscriberClient
from google.cloud.storage import Client as StorageClient

from shared.adapters.clients import GoogleClients
from shared.settings import Settings
from shared.topology import DEFAULT_TOPOLOGY, Subscription, Topology, check_resource_name

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Provisioned:
    """Full resource names this call created, and those that were already there."""

    created: tuple[str, ...]
    existing: tuple[str, ...]


def topic_path(settings: Settings, name: str) -> str:
    return f"projects/{settings.project_id}/topics/{check_resource_name(settings.topic(name))}"


def subscription_path(settings: Settings, name: str) -> str:
    full = check_resource_name(settings.topic(name))
    return f"projects/{settings.project_id}/subscriptions/{full}"


def subscription_request(
    settings: Settings, topology: Topology, sub: Subscription
) -> dict[str, Any]:
    """The CreateSubscription request for one subscription of the topology."""
    request: dict[str, Any] = {
        "name": subscription_path(settings, sub.name),
        "topic": topic_path(settings, sub.topic),
        "ack_deadline_seconds": sub.ack_deadline_s,
        # Present but empty means "never expires"; absent means the 31-day default.
        "expiration_policy": {},
        "retry_policy": {
            "minimum_backoff": {"seconds": sub.retry.minimum_backoff_s},
            "maximum_backoff": {"seconds": sub.retry.maximum_backoff_s},
        },
    }
    if sub.max_delivery_attempts is not None:
        request["dead_letter_policy"] = {
            "dead_letter_topic": topic_path(settings, topology.dead_letter_topic),
            "max_delivery_attempts": sub.max_delivery_attempts,
        }
    return request


def ensure_topology(
    settings: Settings,
    topology: Topology = DEFAULT_TOPOLOGY,
    *,
    publisher: PublisherClient | None = None,
    subscriber: SubscriberClient | None = None,
) -> Provisioned:
    """Create every topic, then every subscription, that does not exist yet."""
    fallback = GoogleClients(settings)  # lazy: builds only the clients not passed in
    created: list[str] = []
    existing: list[str] = []
    try:
        pub = publisher or fallback.publisher
        sub_client = subscriber or fallback.subscriber
        for topic in topology.topics:
            path = topic_path(settings, topic)
            try:
                pub.create_topic(name=path)
                created.append(path)
            except exceptions.AlreadyExists:
                existing.append(path)
        for sub in topology.subscriptions:
            request = subscription_request(settings, topology, sub)
            try:
                sub_client.create_subscription(request=request)
                created.append(request["name"])
            except exceptions.AlreadyExists:
                existing.append(request["name"])
    finally:
        fallback.close()
    log.info(
        "pubsub topology ready",
        extra={"project": settings.project_id, "new": created, "existing": existing},
    )
    return Provisioned(created=tuple(created), existing=tuple(existing))


def ensure_bucket(settings: Settings, name: str, *, client: StorageClient | None = None) -> bool:
    """Create bucket ``name`` unless it exists; True when this call created it.

    Against the GCS emulator the client must be anonymous (notes §8.3: real credentials make the
    library fetch an OAuth token from the internet), which ``GoogleClients`` guarantees.
    """
    fallback = GoogleClients(settings)
    try:
        (client or fallback.storage).create_bucket(name)
        created = True
    except exceptions.Conflict:
        created = False
    finally:
        fallback.close()
    log.info("bucket ready", extra={"bucket": name, "new": created})
    return created
