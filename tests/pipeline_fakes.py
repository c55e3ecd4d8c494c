"""In-memory fakes of the pipeline's own ports (task graphs, heartbeats, media library).

Like tests/fakes.py they apply the pure rules the adapters apply, so a use case tested on them
meets the same refusals. ``fake_services()`` bundles them with the fakes of shared.ports.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime

from shared.errors import NotFound
from shared.pipeline.heartbeat import Heartbeat, RegistryOnline
from shared.pipeline.media_item import MediaItem, MediaStatus
from shared.pipeline.messages import Route
from shared.pipeline.ports import PipelineConfig, PipelineServices
from shared.pipeline.taskgraph import Pipeline
from shared.settings import Settings
from shared.topology import (
    CLOUD_RENDER,
    GPU_TASKS,
    JOB_EVENTS,
    JOB_EVENTS_AUDIT,
    JOBS,
    ORCHESTRATOR,
    TASKS_CLOUD,
    TASKS_GPU,
)
from tests.fakes import InMemoryBlobStore, InMemoryJobStore, RecordingEventBus


class InMemoryPipelineStore:
    def __init__(self) -> None:
        self.pipelines: dict[str, Pipeline] = {}
        self._lock = threading.Lock()

    def create(self, pipeline: Pipeline) -> Pipeline:
        with self._lock:
            return self.pipelines.setdefault(pipeline.job_id, pipeline)

    def get(self, job_id: str) -> Pipeline:
        try:
            return self.pipelines[job_id]
        except KeyError:
            raise NotFound(f"task graph of job {job_id} not found") from None

    def change(self, job_id: str, change: Callable[[Pipeline], Pipeline]) -> Pipeline:
        with self._lock:
            updated = change(self.get(job_id))
            self.pipelines[job_id] = updated
        return updated

    def live(self) -> list[Pipeline]:
        return [p for p in self.pipelines.values() if p.live]

    def delete(self, job_id: str) -> None:
        with self._lock:
            self.pipelines.pop(job_id, None)


class InMemoryWorkerRegistry:
    def __init__(self, clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.beats: dict[str, Heartbeat] = {}
        self._clock = clock

    def beat(self, heartbeat: Heartbeat) -> None:
        self.beats[heartbeat.worker_id] = heartbeat.model_copy(update={"updated_at": self._clock()})

    def get(self, worker_id: str) -> Heartbeat | None:
        return self.beats.get(worker_id)

    def all(self) -> list[Heartbeat]:
        return list(self.beats.values())

    def now(self) -> datetime:
        return self._clock()


class InMemoryMediaLibrary:
    def __init__(self) -> None:
        self.items: dict[str, MediaItem] = {}

    def get(self, media_id: str) -> MediaItem:
        try:
            return self.items[media_id]
        except KeyError:
            raise NotFound(f"media {media_id} not found") from None

    def get_for_user(self, media_id: str, uid: str) -> MediaItem:
        item = self.get(media_id)
        if item.uid != uid:
            raise NotFound(f"media {media_id} not found")
        return item

    def change(self, media_id: str, change: Callable[[MediaItem], MediaItem]) -> MediaItem:
        self.items[media_id] = change(self.get(media_id))
        return self.items[media_id]

    def pending_on(self, route: Route, deployment: str) -> list[MediaItem]:
        return [
            i for i in self.items.values()
            if i.status is MediaStatus.PENDING and i.placement and i.placement.route is route
            and i.placement.deployment == deployment
        ]  # fmt: skip


class InMemoryUsageMeter:
    """Counts per (uid, meter, UTC day), as the Firestore meter does."""

    def __init__(self) -> None:
        self.counts: dict[tuple[str, str, str], int] = {}
        self._lock = threading.Lock()

    def take(self, uid: str, meter: str, amount: int, limit: int, now: datetime) -> int | None:
        key = (uid, meter, f"{now:%Y%m%d}")
        with self._lock:
            used = self.counts.get(key, 0)
            if used + amount > limit:
                return used
            self.counts[key] = used + amount
            return None


SETTINGS = Settings(project_id="demo-fake", media_bucket="media", renders_bucket="renders")


def fake_services(clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> PipelineServices:
    bus = RecordingEventBus()
    for sub, topic in (
        (ORCHESTRATOR, JOBS), (GPU_TASKS, TASKS_GPU), (CLOUD_RENDER, TASKS_CLOUD),
        (JOB_EVENTS_AUDIT, JOB_EVENTS),
    ):  # fmt: skip
        bus.attach(sub, topic)
    workers = InMemoryWorkerRegistry(clock)
    return PipelineServices(
        settings=SETTINGS,
        jobs=InMemoryJobStore(clock),
        pipelines=InMemoryPipelineStore(),
        bus=bus,
        workers=workers,
        online=RegistryOnline(workers),
        renders=InMemoryBlobStore("renders"),
        media_files=InMemoryBlobStore("media"),
        media=InMemoryMediaLibrary(),
        usage=InMemoryUsageMeter(),
        config=PipelineConfig(),
        clock=clock,
    )
