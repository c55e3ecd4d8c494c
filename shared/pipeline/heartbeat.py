"""Worker heartbeats: the document ``workers/{worker_id}`` each worker rewrites every ~10 s.

A worker is online while its heartbeat is fresh (``updated_at`` is the Firestore server's time,
so worker clocks never matter) and, when idle, while it is still pulling: a process that writes
heartbeats but receives nothing (a broken subscription) does not count as online. Routing reads
the online set through ``CachedOnline`` (about 30 s), so a busy orchestrator reads it rarely.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Protocol

from pydantic import BaseModel, ConfigDict, Field

from shared.pipeline.messages import Route, TaskKind

HEARTBEAT_EVERY_S = 10.0
STALE_AFTER_S = 30.0
ONLINE_CACHE_S = 30.0


class Heartbeat(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    worker_id: str = Field(min_length=1, max_length=200)
    route: Route
    version: str = ""
    host: str = ""
    cuda: bool = False
    gpu_name: str | None = None
    vram_mb: int = Field(default=0, ge=0)
    nvenc: bool = False
    models: tuple[str, ...] = ()  # model folders on the box (loadable)
    models_loaded: tuple[str, ...] = ()  # the ones warm in memory now
    tasks: tuple[TaskKind, ...] = ()  # the task kinds this worker takes
    current_task: str | None = None  # "job_id/task#attempt" while busy
    last_pull_at: datetime | None = None  # the last time a pull returned (liveness)
    pull_timeout_s: float = 10.0
    stopping: bool = False  # SIGTERM received: takes no new work
    started_at: datetime
    updated_at: datetime | None = None  # server time of the last write (set by the store)


def is_fresh(beat: Heartbeat | None, now: datetime, stale_after_s: float) -> bool:
    """The worker wrote its heartbeat within ``stale_after_s`` of ``now`` (server time)."""
    return (
        beat is not None
        and beat.updated_at is not None
        and now - beat.updated_at <= timedelta(seconds=stale_after_s)
    )


def is_online(beat: Heartbeat, now: datetime, stale_after_s: float = STALE_AFTER_S) -> bool:
    """Fresh heartbeat, not stopping, and either busy or still pulling."""
    if beat.updated_at is None or beat.stopping:
        return False
    fresh = timedelta(seconds=stale_after_s)
    if now - beat.updated_at > fresh:
        return False
    if beat.current_task is not None:
        return True
    if beat.last_pull_at is None:
        return False
    return now - beat.last_pull_at <= fresh + timedelta(seconds=beat.pull_timeout_s)


class WorkerRegistry(Protocol):
    def beat(self, heartbeat: Heartbeat) -> None:
        """Write the heartbeat, stamping ``updated_at`` with the server's time."""
        ...

    def get(self, worker_id: str) -> Heartbeat | None: ...

    def all(self) -> list[Heartbeat]: ...

    def now(self) -> datetime:
        """The server's time, the only clock heartbeats are compared with."""
        ...


class OnlineWorkers(Protocol):
    def online(self) -> list[Heartbeat]: ...


class RegistryOnline:
    """The online set read straight from the registry."""

    def __init__(self, registry: WorkerRegistry, stale_after_s: float = STALE_AFTER_S) -> None:
        self._registry = registry
        self._stale_after_s = stale_after_s

    def online(self) -> list[Heartbeat]:
        now = self._registry.now()
        return [b for b in self._registry.all() if is_online(b, now, self._stale_after_s)]


class CachedOnline:
    """The online set, re-read at most every ``ttl_s`` (per process)."""

    def __init__(
        self,
        source: OnlineWorkers,
        ttl_s: float = ONLINE_CACHE_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._source = source
        self._ttl_s = ttl_s
        self._clock = clock
        self._lock = threading.Lock()
        self._cached: tuple[float, list[Heartbeat]] | None = None

    def online(self) -> list[Heartbeat]:
        with self._lock:
            now = self._clock()
            if self._cached is None or now - self._cached[0] >= self._ttl_s:
                self._cached = (now, self._source.online())
            return list(self._cached[1])


FORGET_AFTER_S = 24 * 3600  # a box silent this long was taken away: no longer reported


def silent_boxes(
    beats: Iterable[Heartbeat], now: datetime, stale_after_s: float = STALE_AFTER_S
) -> list[tuple[Heartbeat, float]]:
    """The GPU boxes that went quiet without saying they stop, with the seconds since they last
    showed life: dead or cut off (a stale heartbeat), or hung (it beats, but neither pulls nor
    runs a task). The sweeper logs each; the per-box alert counts those lines."""
    found = []
    for beat in beats:
        if beat.route is not Route.GPU or beat.stopping or beat.updated_at is None:
            continue
        if is_online(beat, now, stale_after_s):
            continue
        if is_fresh(beat, now, stale_after_s):
            since, grace = beat.last_pull_at or beat.started_at, beat.pull_timeout_s
        else:
            since, grace = beat.updated_at, 0.0
        quiet = (now - since).total_seconds()
        if stale_after_s + grace < quiet <= FORGET_AFTER_S:
            found.append((beat, quiet))
    return found
