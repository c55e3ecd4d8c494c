"""AI generations on the fleet: a claim fenced by the attempt, and the sweeper moving a
generation whose GPU box went silent (or never took it) to the cloud, in its own deployment only."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from shared.errors import Conflict
from shared.imagery.attempts import claim, moved_to_cloud
from shared.imagery.request import GenerateRequest
from shared.pipeline.heartbeat import Heartbeat
from shared.pipeline.media_item import MediaItem, MediaKindName, MediaStatus, Placement
from shared.pipeline.messages import GenerateMedia, Route
from shared.pipeline.sweep import sweep
from shared.topology import TASKS_CLOUD
from tests.pipeline_fakes import fake_services

START = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)


def pending(media_id: str, *, worker: str | None = None, deployment: str = "") -> MediaItem:
    return MediaItem(
        media_id=media_id, uid="alice", kind=MediaKindName.IMAGE,
        object_name=f"uploads/alice/{media_id}.png", content_type="image/png", size_bytes=0,
        generation=GenerateRequest(kind="image", prompt="a red shoe"),
        placement=Placement(route=Route.GPU, deployment=deployment, queued_at=START,
                            worker_id=worker, started_at=START if worker else None),
        created_at=START,
    )  # fmt: skip


def test_a_claim_is_fenced_by_the_attempt_and_the_status() -> None:
    item = pending("m1")
    taken = claim(item, 1, "gpu-1", START)
    assert taken.placement is not None and taken.placement.worker_id == "gpu-1"
    moved = moved_to_cloud(taken, "the GPU box gpu-1 stopped responding while making it", START)
    with pytest.raises(Conflict, match="moved on to attempt 2"):
        claim(moved, 1, "gpu-1", START)  # the old GPU message, redelivered
    assert claim(moved, 2, "cloud-1", START).placement is not None
    with pytest.raises(Conflict, match="is ready"):
        claim(moved.model_copy(update={"status": MediaStatus.READY}), 2, "cloud-1", START)


def test_the_sweeper_moves_a_generation_whose_box_went_silent_and_leaves_the_rest() -> None:
    now = [START + timedelta(seconds=5)]
    ports = fake_services(clock=lambda: now[0])
    for worker in ("gpu-dead", "gpu-alive"):
        ports.workers.beat(Heartbeat(worker_id=worker, route=Route.GPU, started_at=START))
    now[0] = START + timedelta(seconds=120)  # gpu-dead is silent from here on
    ports.workers.beat(Heartbeat(worker_id="gpu-alive", route=Route.GPU, started_at=START))
    media = ports.media
    for item in (
        pending("dead", worker="gpu-dead"),
        pending("alive", worker="gpu-alive"),
        pending("never-taken"),  # queued at START: past the 60 s start deadline
        pending("theirs", worker="gpu-dead", deployment="other-"),  # another deployment's
    ):
        media.items[item.media_id] = item  # type: ignore[attr-defined]

    report = sweep(ports)

    assert sorted(report.rerouted) == ["media/dead", "media/never-taken"]
    moved = media.get("dead")
    assert moved.placement is not None and moved.placement.route is Route.CLOUD
    assert moved.placement.attempt == 2 and moved.placement.worker_id is None
    assert moved.warning == (
        "the GPU box gpu-dead stopped responding while making it; made in the cloud instead"
    )
    assert media.get("never-taken").warning.startswith("no GPU box started it within 60 s")
    sent = ports.bus.messages(ports.settings.topic(TASKS_CLOUD))  # type: ignore[attr-defined]
    assert {(m.media_id, m.attempt) for m in sent if isinstance(m, GenerateMedia)} == {
        ("dead", 2), ("never-taken", 2),
    }  # fmt: skip
    assert media.get("alive").placement.route is Route.GPU  # type: ignore[union-attr]
    assert media.get("theirs").placement.route is Route.GPU  # type: ignore[union-attr]
    assert sweep(ports).rerouted == []  # moved once
