"""What the pipeline's use cases and workers need, bundled, plus the pipeline's timing knobs.

``PipelineServices`` is built by ``shared.pipeline.bootstrap.build`` on the real adapters and by
the tests on fakes or on the emulators.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from shared.clock import utc_now
from shared.errors import ConfigError
from shared.pipeline.heartbeat import OnlineWorkers, WorkerRegistry
from shared.pipeline.media_item import MediaItem
from shared.pipeline.messages import Route
from shared.pipeline.taskgraph import PipelineStore
from shared.ports import BlobStore, EventBus, JobStore
from shared.settings import Settings
from shared.usage import UsageMeter


class MediaLibrary(Protocol):
    def get(self, media_id: str) -> MediaItem:
        """The item; NotFound if absent."""
        ...

    def get_for_user(self, media_id: str, uid: str) -> MediaItem:
        """The item if ``uid`` owns it; NotFound otherwise."""
        ...

    def change(self, media_id: str, change: Callable[[MediaItem], MediaItem]) -> MediaItem:
        """Apply ``change`` atomically; NotFound if absent; what ``change`` raises is raised."""
        ...

    def pending_on(self, route: Route, deployment: str) -> list[MediaItem]:
        """Pending AI items of ``deployment`` (a topic prefix) last sent to ``route``."""
        ...


def _seconds(env: Mapping[str, str], key: str, default: float) -> float:
    raw = env.get(key, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{key}={raw!r} is not a number of seconds") from None
    if value <= 0:
        raise ConfigError(f"{key}={raw!r} must be positive")
    return value


@dataclass(frozen=True)
class PipelineConfig:
    """Timings; production defaults, shortened by tests through the CS_* variables."""

    heartbeat_s: float = 10.0  # how often workers write their heartbeat
    stale_after_s: float = 30.0  # a heartbeat older than this: the worker is gone
    online_cache_s: float = 30.0  # how long the orchestrator trusts its online set
    gpu_start_deadline_s: float = 60.0  # a GPU task not started by then is routed again
    queue_deadline_s: float = 600.0  # a cloud task not started by then is published again
    announce_deadline_s: float = 60.0  # a job whose JobCreated was not sent: resent after
    progress_every_s: float = 0.5  # at most this often a progress write to the job
    watch_every_s: float = 0.5  # how often a worker checks its job for cancel / pause
    shutdown_grace_s: float = 5.0  # SIGTERM: finish the task within this, else hand it back

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> PipelineConfig:
        env = os.environ if env is None else env
        defaults = cls()
        return cls(
            heartbeat_s=_seconds(env, "CS_HEARTBEAT_S", defaults.heartbeat_s),
            stale_after_s=_seconds(env, "CS_WORKER_STALE_S", defaults.stale_after_s),
            online_cache_s=_seconds(env, "CS_ONLINE_CACHE_S", defaults.online_cache_s),
            gpu_start_deadline_s=_seconds(
                env, "CS_GPU_START_DEADLINE_S", defaults.gpu_start_deadline_s
            ),
            queue_deadline_s=_seconds(env, "CS_QUEUE_DEADLINE_S", defaults.queue_deadline_s),
            announce_deadline_s=_seconds(
                env, "CS_ANNOUNCE_DEADLINE_S", defaults.announce_deadline_s
            ),
            progress_every_s=_seconds(env, "CS_PROGRESS_EVERY_S", defaults.progress_every_s),
            watch_every_s=_seconds(env, "CS_WATCH_EVERY_S", defaults.watch_every_s),
            shutdown_grace_s=_seconds(env, "CS_SHUTDOWN_GRACE_S", defaults.shutdown_grace_s),
        )


@dataclass(frozen=True)
class PipelineServices:
    settings: Settings
    jobs: JobStore
    pipelines: PipelineStore
    bus: EventBus
    workers: WorkerRegistry
    online: OnlineWorkers
    renders: BlobStore  # the renders bucket: task results and the final MP4 + poster
    media_files: BlobStore  # the media bucket: the users' uploads
    media: MediaLibrary
    usage: UsageMeter  # the users' daily allowances of paid provider calls
    config: PipelineConfig = field(default_factory=PipelineConfig)
    clock: Callable[[], datetime] = utc_now
