"""EventBus on Pub/Sub, and the two ways to consume it.

Messages are pydantic models sent as JSON with two attributes, ``schema_version`` (of this
envelope) and ``message_type`` (the model's class name, for logs and filters). Consumers name the
schema they expect: a model class, or a ``TypeAdapter`` of a discriminated union when one
subscription carries several message kinds. A delivery that does not decode into it is a poison
message: it is logged and acked, never retried forever.

Consumers:
- ``PullWorker``: synchronous pull of one message, lease extended by a heartbeat thread while the
  handler runs, then ack or nack. It survives restarts on the emulator, whose streaming pull loses
  every later message of a subscription once one stream on it closed (notes §0.4).
- ``subscribe_streaming``: streaming pull with ``FlowControl(max_messages=1)`` and int-typed lease
  settings (a float silently stops delivery), for production.
Both settle a delivery the same way (``handle_delivery``): the handler returned -> ack; it raised a
non-retryable AppError (bad input, already recorded on the job) -> ack; anything else -> nack.
"""

from __future__ import annotations

import concurrent.futures
import logging
import threading
from collections.abc import Callable, Mapping
from enum import StrEnum
from typing import Any, Generic, TypeAlias, TypeVar

from google.api_core import exceptions as gexc
from google.cloud.pubsub_v1 import PublisherClient, SubscriberClient
from google.cloud.pubsub_v1.subscriber.message import Message
from google.cloud.pubsub_v1.types import FlowControl
from pydantic import BaseModel, TypeAdapter, ValidationError

from shared.adapters.clients import GoogleClients
from shared.errors import AppError, ConfigError, InvalidRequest, TransientError
from shared.logs import log_context
from shared.ports import Delivery, EventBus

log = logging.getLogger(__name__)

T = TypeVar("T")
Handler: TypeAlias = Callable[[T, Delivery], None]
Schema: TypeAlias = type[T] | TypeAdapter[T]

SCHEMA_VERSION = "1"
MESSAGE_TYPE_ATTR = "message_type"
SCHEMA_VERSION_ATTR = "schema_version"
_RESERVED = frozenset({MESSAGE_TYPE_ATTR, SCHEMA_VERSION_ATTR})


class PoisonMessage(InvalidRequest):
    """A delivery that can never be handled: wrong type, wrong version, or not our JSON."""

    code = "poison_message"


class Outcome(StrEnum):
    ACKED = "acked"
    NACKED = "nacked"
    POISON = "poison"  # acked without handling


def encode(
    message: BaseModel, attributes: Mapping[str, str] | None = None
) -> tuple[bytes, dict[str, str]]:
    """The JSON body and the attributes (ours plus the caller's) of ``message``."""
    extra = dict(attributes or {})
    clash = _RESERVED & extra.keys()
    if clash:
        raise ValueError(f"attributes {sorted(clash)} are set by the event bus itself")
    bad = [key for key, value in extra.items() if not isinstance(value, str)]
    if bad:
        raise ValueError(f"attribute values must be strings: {sorted(bad)}")
    extra[MESSAGE_TYPE_ATTR] = type(message).__name__
    extra[SCHEMA_VERSION_ATTR] = SCHEMA_VERSION
    return message.model_dump_json().encode(), extra


def schema_adapter(schema: Schema[T]) -> TypeAdapter[T]:
    return schema if isinstance(schema, TypeAdapter) else TypeAdapter(schema)


def decode(delivery: Delivery, schema: Schema[T]) -> T:
    """The message of ``delivery``; PoisonMessage saying why if it does not match ``schema``."""
    version = delivery.attributes.get(SCHEMA_VERSION_ATTR)
    if version != SCHEMA_VERSION:
        raise PoisonMessage(f"envelope schema version {version!r} is not {SCHEMA_VERSION!r}")
    try:
        return schema_adapter(schema).validate_json(delivery.data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(map(str, e['loc'])) or 'body'}: {e['msg']}" for e in exc.errors()[:5]
        )
        kind = delivery.attributes.get(MESSAGE_TYPE_ATTR)
        raise PoisonMessage(f"{kind or 'message'} does not match the schema: {problems}") from None


def handle_delivery(delivery: Delivery, schema: Schema[T], handler: Handler[T]) -> Outcome:
    """Decode and handle one delivery; say how to settle it (the caller acks or nacks)."""
    try:
        message = decode(delivery, schema)
    except PoisonMessage as exc:
        log.error(
            "poison message acked without handling: %s",
            exc.message,
            extra={"message_id": delivery.message_id, "attempt": delivery.delivery_attempt},
        )
        return Outcome.POISON
    try:
        handler(message, delivery)
    except AppError as exc:
        if exc.retryable:
            log.warning("handler failed, message handed back: %s", exc.message)
            return Outcome.NACKED
        # Permanent: the handler has recorded the failure on the job; retrying cannot help.
        log.error("handler refused the message for good: %s", exc.message)
        return Outcome.ACKED
    except Exception:
        log.exception("handler crashed, message handed back")
        return Outcome.NACKED
    return Outcome.ACKED


class PubSubEventBus:
    """EventBus on Pub/Sub; topics and subscriptions are ids within ``project_id``."""

    def __init__(
        self,
        publisher: PublisherClient,
        subscriber: SubscriberClient,
        project_id: str,
        publish_timeout_s: float = 30.0,
    ) -> None:
        self._publisher = publisher
        self._subscriber = subscriber
        self._project_id = project_id
        self._publish_timeout_s = publish_timeout_s

    @classmethod
    def from_clients(cls, clients: GoogleClients) -> PubSubEventBus:
        return cls(clients.publisher, clients.subscriber, clients.settings.project_id)

    def topic_path(self, topic: str) -> str:
        return f"projects/{self._project_id}/topics/{topic}"

    def subscription_path(self, subscription: str) -> str:
        return f"projects/{self._project_id}/subscriptions/{subscription}"

    def publish(
        self, topic: str, message: BaseModel, attributes: Mapping[str, str] | None = None
    ) -> str:
        data, attrs = encode(message, attributes)
        future = self._publisher.publish(self.topic_path(topic), data, **attrs)
        try:
            message_id: str = future.result(timeout=self._publish_timeout_s)
        except (concurrent.futures.TimeoutError, gexc.ServiceUnavailable) as exc:
            raise TransientError(f"publishing to {topic} failed: {exc!r}") from exc
        except gexc.NotFound:
            raise ConfigError(f"Pub/Sub topic {topic} does not exist (provision it)") from None
        log.info("published", extra={"topic": topic, "message_id": message_id})
        return message_id

    def pull(
        self, subscription: str, max_messages: int = 1, timeout_s: float = 10.0
    ) -> list[Delivery]:
        request = {
            "subscription": self.subscription_path(subscription),
            "max_messages": max_messages,
        }
        try:
            response = self._subscriber.pull(request=request, timeout=timeout_s)
        except gexc.DeadlineExceeded:
            return []  # nothing arrived in time (the emulator returns an empty response instead)
        except gexc.ServiceUnavailable as exc:
            raise TransientError(f"pulling from {subscription} failed: {exc!r}") from exc
        except gexc.NotFound:
            raise ConfigError(
                f"Pub/Sub subscription {subscription} does not exist (provision it)"
            ) from None
        return [
            Delivery(
                ack_id=received.ack_id,
                message_id=received.message.message_id,
                data=bytes(received.message.data),
                attributes=dict(received.message.attributes),
                # 0 means "no dead-letter policy, not counted"
                delivery_attempt=received.delivery_attempt or None,
                publish_time=received.message.publish_time,
            )
            for received in response.received_messages
        ]

    def ack(self, subscription: str, ack_ids: list[str]) -> None:
        if ack_ids:
            self._subscriber.acknowledge(
                request={"subscription": self.subscription_path(subscription), "ack_ids": ack_ids}
            )

    def nack(self, subscription: str, ack_ids: list[str]) -> None:
        self.extend_lease(subscription, ack_ids, 0)

    def extend_lease(self, subscription: str, ack_ids: list[str], seconds: int) -> None:
        if ack_ids:
            self._subscriber.modify_ack_deadline(
                request={
                    "subscription": self.subscription_path(subscription),
                    "ack_ids": ack_ids,
                    "ack_deadline_seconds": seconds,
                }
            )


class PullWorker(Generic[T]):
    """Takes one message at a time from a subscription and keeps it leased while it works."""

    def __init__(
        self,
        bus: EventBus,
        subscription: str,
        schema: Schema[T],
        handler: Handler[T],
        *,
        lease_s: int = 60,
        extend_every_s: float | None = None,
    ) -> None:
        if not 10 <= lease_s <= 600:
            raise ValueError(f"lease_s must be 10..600 s (a Pub/Sub ack deadline), not {lease_s}")
        self._bus = bus
        self._subscription = subscription
        self._schema = schema_adapter(schema)  # built once, not per message
        self._handler = handler
        self._lease_s = lease_s
        self._extend_every_s = extend_every_s if extend_every_s is not None else lease_s / 3

    def run_once(self, timeout_s: float = 10.0) -> Outcome | None:
        """Handle at most one message; None when none arrived within ``timeout_s``."""
        deliveries = self._bus.pull(self._subscription, max_messages=1, timeout_s=timeout_s)
        if not deliveries:
            return None
        delivery = deliveries[0]
        with log_context(message_id=delivery.message_id, subscription=self._subscription):
            stop = threading.Event()
            heartbeat = threading.Thread(
                target=self._keep_leased, args=(delivery.ack_id, stop), daemon=True
            )
            self._bus.extend_lease(self._subscription, [delivery.ack_id], self._lease_s)
            heartbeat.start()
            try:
                outcome = handle_delivery(delivery, self._schema, self._handler)
            finally:
                stop.set()
                heartbeat.join()
            if outcome is Outcome.NACKED:
                self._bus.nack(self._subscription, [delivery.ack_id])
            else:
                self._bus.ack(self._subscription, [delivery.ack_id])
        return outcome

    def run(self, stop: threading.Event, poll_s: float = 10.0) -> None:
        """Handle messages until ``stop`` is set (checked between messages)."""
        while not stop.is_set():
            self.run_once(timeout_s=poll_s)

    def _keep_leased(self, ack_id: str, stop: threading.Event) -> None:
        while not stop.wait(self._extend_every_s):
            try:
                self._bus.extend_lease(self._subscription, [ack_id], self._lease_s)
            except Exception:  # a missed extension only risks a redelivery, which is safe
                log.warning("lease extension failed", exc_info=True)


def delivery_of(message: Message) -> Delivery:
    """A streaming-pull message as a Delivery."""
    return Delivery(
        ack_id=message.ack_id,
        message_id=message.message_id,
        data=message.data,
        attributes=dict(message.attributes),
        delivery_attempt=message.delivery_attempt,
        publish_time=message.publish_time,
    )


def subscribe_streaming(
    subscriber: SubscriberClient,
    subscription_path: str,
    schema: Schema[T],
    handler: Handler[T],
    *,
    max_lease_s: int = 3600,
    max_extension_s: int = 60,
) -> Any:
    """Streaming pull, one message in flight; returns the StreamingPullFuture (cancel to stop).

    ``max_lease_s`` must exceed the longest job (past it the client drops the lease and the
    message is redelivered while still running); ``max_extension_s`` caps each extension so a
    crashed worker's message comes back within about that long.
    """
    if not 10 <= max_extension_s <= 600 or max_lease_s < max_extension_s:
        raise ValueError(
            f"max_extension_s must be 10..600 s and at most max_lease_s "
            f"(got {max_extension_s} and {max_lease_s})"
        )
    # int(): the client silently stops receiving when a lease setting is a float (notes §2.2).
    flow_control = FlowControl(
        max_messages=1,
        max_lease_duration=int(max_lease_s),
        max_duration_per_lease_extension=int(max_extension_s),
    )

    adapter = schema_adapter(schema)

    def callback(message: Message) -> None:
        outcome = handle_delivery(delivery_of(message), adapter, handler)
        if outcome is Outcome.NACKED:
            message.nack()
        else:
            message.ack()

    return subscriber.subscribe(
        subscription_path, callback, flow_control=flow_control, await_callbacks_on_shutdown=True
    )
