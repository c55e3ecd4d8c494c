"""A generation's placement on the fleet (pure): where its latest attempt was sent, who took it,
and when to send it again, as the sweeper does for a job's tasks.

A generation sent to a GPU box goes to the cloud instead when the box that took it stops
beating (kill -9, power cut), or when no box took it within the start deadline. Each new
attempt is numbered; a message or a worker of an older attempt changes nothing.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from shared.errors import Conflict
from shared.pipeline.heartbeat import Heartbeat, is_fresh
from shared.pipeline.media_item import MediaItem, MediaStatus, Placement
from shared.pipeline.messages import Route


def claim(item: MediaItem, attempt: int, worker_id: str, now: datetime) -> MediaItem:
    """``worker_id`` takes ``attempt``. Conflict: the item is made, or moved to a newer attempt.
    An item queued before placements were recorded has nothing to fence: it is taken as is."""
    placement = item.placement
    if item.status is not MediaStatus.PENDING:
        raise Conflict(f"media {item.media_id} is {item.status.value}: nothing to make")
    if placement is None:
        return item
    if placement.attempt != attempt:
        raise Conflict(f"media {item.media_id} moved on to attempt {placement.attempt}")
    taken = placement.model_copy(update={"worker_id": worker_id, "started_at": now})
    return item.model_copy(update={"placement": taken})


def why_move(
    item: MediaItem,
    beats: dict[str, Heartbeat],
    server_now: datetime,
    now: datetime,
    *,
    stale_after_s: float,
    gpu_start_deadline_s: float,
) -> str | None:
    """Why a pending generation on a GPU box should go to the cloud now; None to leave it."""
    placement = item.placement
    if item.status is not MediaStatus.PENDING or placement is None:
        return None
    if placement.route is not Route.GPU:
        return None
    if placement.worker_id is not None:
        if is_fresh(beats.get(placement.worker_id), server_now, stale_after_s):
            return None
        return f"the GPU box {placement.worker_id} stopped responding while making it"
    if now - placement.queued_at > timedelta(seconds=gpu_start_deadline_s):
        return f"no GPU box started it within {gpu_start_deadline_s:g} s"
    return None


def moved_to_cloud(item: MediaItem, why: str, now: datetime) -> MediaItem:
    """The next attempt, on the cloud, with why on the item's warning."""
    assert item.placement is not None  # why_move() said so
    placement = Placement(
        route=Route.CLOUD, deployment=item.placement.deployment,
        attempt=item.placement.attempt + 1, queued_at=now,
    )  # fmt: skip
    note = f"{why}; made in the cloud instead"
    warning = f"{item.warning}; {note}" if item.warning else note
    return item.model_copy(update={"placement": placement, "warning": warning[:4000]})
