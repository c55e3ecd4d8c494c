"""Pub/Sub push and Eventarc envelopes as Deliveries (pure), so pushed and pulled messages take
the same path (shared.adapters.pubsub_bus.handle_delivery).

    {"message": {"data": base64, "attributes": {...}, "messageId": "...", "publishTime": "..."},
     "subscription": "projects/P/subscriptions/S", "deliveryAttempt": 1}
"""

from __future__ import annotations

import base64
import binascii
import logging
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from shared.adapters.pubsub_bus import Handler, Outcome, PoisonMessage, Schema, T, handle_delivery
from shared.ports import Delivery

log = logging.getLogger(__name__)


def settle_push(body: Any, schema: Schema[T], handler: Handler[T]) -> Outcome:
    """Decode and handle one pushed message: how to answer it (NACKED -> an error status)."""
    try:
        delivery = delivery_from_push(body)
    except PoisonMessage as exc:
        log.error("poison push acked without handling: %s", exc.message)
        return Outcome.POISON
    return handle_delivery(delivery, schema, handler)


def delivery_from_push(body: Any) -> Delivery:
    """The Delivery in a push body; PoisonMessage if it is not one."""
    if not isinstance(body, Mapping) or not isinstance(body.get("message"), Mapping):
        raise PoisonMessage("not a Pub/Sub push body: no 'message' object")
    message = body["message"]
    try:
        data = base64.b64decode(message.get("data", ""), validate=True)
    except (binascii.Error, TypeError, ValueError):
        raise PoisonMessage("message.data is not base64") from None
    attributes = message.get("attributes") or {}
    if not isinstance(attributes, Mapping) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in attributes.items()
    ):
        raise PoisonMessage("message.attributes must map strings to strings")
    message_id = str(message.get("messageId") or message.get("message_id") or "")
    published = message.get("publishTime") or message.get("publish_time")
    attempt = body.get("deliveryAttempt")
    return Delivery(
        ack_id=message_id,  # push has no ack id: the HTTP status settles the delivery
        message_id=message_id,
        data=data,
        attributes=dict(attributes),
        delivery_attempt=attempt if isinstance(attempt, int) else None,
        publish_time=_time(published),
    )


def _time(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
