"""Queue a generation (the HTTP side): the pending item, then one GenerateMedia message on the
GPU box's topic when an online box advertises the chain's first model, else the cloud's."""

from __future__ import annotations

import logging
from datetime import datetime

from shared.errors import AppError
from shared.imagery.placement import gpu_box_for
from shared.imagery.request import GenerateRequest
from shared.imagery.service import Generator
from shared.pipeline.heartbeat import OnlineWorkers
from shared.pipeline.media_item import MediaItem
from shared.pipeline.messages import GenerateMedia, Route
from shared.ports import EventBus
from shared.topology import TASKS_CLOUD, TASKS_GPU

log = logging.getLogger(__name__)


def submit_generation(
    generator: Generator,
    bus: EventBus,
    online: OnlineWorkers,
    uid: str,
    body: GenerateRequest,
    now: datetime,
) -> tuple[MediaItem, Route]:
    """The pending item and where its work was sent.

    Raises:
        TransientError: the message could not be published (the item is marked failed).
    """
    route = Route.GPU if gpu_box_for(body, online.online()) else Route.CLOUD
    item = generator.request(uid, body, now, route)
    topic = generator.settings.topic(TASKS_GPU if route is Route.GPU else TASKS_CLOUD)
    try:
        bus.publish(topic, GenerateMedia(media_id=item.media_id, uid=uid))
    except AppError:
        generator.library.fail_made(item, "the request could not be queued; please try again")
        raise
    log.info("generation queued", extra={"media_id": item.media_id, "route": route.value})
    return item, route
