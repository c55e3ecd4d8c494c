"""The worker's own memory ceiling: a watchdog on its resident size while a task runs.

Over the ceiling, the task is cancelled (``exceeded``: FFmpeg stopped, loops see ``ctx.cancel``)
and ends with an error in words. Work that cannot be stopped (a library call that never looks at
the cancel event) and stays over the ceiling ``grace_s`` longer gets ``stuck``: the worker reports
the failure and exits, to be restarted (the cloud, the local stack's supervisor) rather than take
the machine. The FFmpeg children have their own ceiling (shared.processes).
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from types import TracebackType

import psutil

MB = 1024 * 1024
CHECK_EVERY_S = 0.1
GRACE_S = 2.0


def resident_bytes() -> int:
    """This process's resident set size."""
    return int(psutil.Process(os.getpid()).memory_info().rss)


def over_ceiling(task: str, used_bytes: int, ceiling_mb: int) -> str:
    """The words a person sees on the job."""
    return (
        f"the {task} task used more than {ceiling_mb} MB ({used_bytes // MB} MB), the worker's "
        "memory ceiling; it was stopped so the other jobs keep running. Make the programme "
        "shorter or split it into parts"
    )


class MemoryGuard:
    """``with MemoryGuard(...):`` watches while the block runs. What counts is the growth over
    the size at the start (a GPU box holds its models before any task); ``tripped`` is the peak
    growth seen over the ceiling (None while under it)."""

    def __init__(
        self,
        ceiling_mb: int,
        exceeded: Callable[[int], None],
        stuck: Callable[[int], None],
        *,
        grace_s: float = GRACE_S,
        every_s: float = CHECK_EVERY_S,
        measure: Callable[[], int] = resident_bytes,
    ) -> None:
        self._ceiling = ceiling_mb * MB
        self._exceeded = exceeded
        self._stuck = stuck
        self._grace_s = grace_s
        self._every_s = every_s
        self._measure = measure
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="memory-guard", daemon=True)
        self._baseline = 0
        self.tripped: int | None = None

    def __enter__(self) -> MemoryGuard:
        self._baseline = self._measure()
        self._thread.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._done.set()
        self._thread.join()

    def _watch(self) -> None:
        over_since: float | None = None
        while not self._done.wait(self._every_s):
            used = self._measure() - self._baseline
            if used <= self._ceiling:
                over_since = None
                continue
            self.tripped = max(self.tripped or 0, used)
            if over_since is None:
                over_since = time.monotonic()
                self._exceeded(used)
            elif time.monotonic() - over_since >= self._grace_s:
                self._stuck(used)
                return
