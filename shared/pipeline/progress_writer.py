"""A task's progress written to its job off the work's thread.

The work never waits on the job document: many segments of one long render report at once, and
a contended transaction can take seconds. Only the newest figure matters, so one that a newer
report overtook before it was written is dropped. A tick never holds the document (JobStore.report
writes it only if nothing changed since it was read), so a person's pause or cancel does not wait
on it; between two writes the writer rests, which keeps one job's document under Firestore's
sustained write rate however often the work reports.
"""

from __future__ import annotations

import logging
import threading
import time
from types import TracebackType

from shared.errors import AppError
from shared.jobs import Progress
from shared.ports import JobStore

log = logging.getLogger(__name__)

FLUSH_S = 2.0  # how long the end of a task waits for its last figure to be written
REST_S = 0.5  # the least time between the end of one write and the start of the next


class ProgressWriter:
    def __init__(self, jobs: JobStore, job_id: str, rest_s: float = REST_S) -> None:
        self._jobs = jobs
        self._rest_s = rest_s
        self._job_id = job_id
        self._pending: Progress | None = None
        self._wake = threading.Condition()
        self._closed = False
        self._thread = threading.Thread(target=self._run, name="progress", daemon=True)

    def put(self, event: Progress) -> None:
        with self._wake:
            self._pending = event
            self._wake.notify()

    def __enter__(self) -> ProgressWriter:
        self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        with self._wake:
            self._closed = True
            self._wake.notify()
        self._thread.join(FLUSH_S)  # a write still stuck after that is left to finish alone

    def _run(self) -> None:
        while True:
            with self._wake:
                while self._pending is None and not self._closed:
                    self._wake.wait()
                event, self._pending = self._pending, None
                if event is None:  # closed with nothing left to write
                    return
            try:
                self._jobs.report(self._job_id, event)
            except AppError as exc:  # progress is best effort; the work goes on
                log.warning("progress not written: %s", exc.message)
            rested = time.monotonic() + self._rest_s
            # A new figure does not end the rest; a new step does (a person sees each), and so
            # does closing (the last figure).
            with self._wake:
                while not self._closed and (left := rested - time.monotonic()) > 0:
                    step = self._pending.step if self._pending is not None else None
                    if step is not None and step != event.step:  # None: the same step
                        break
                    self._wake.wait(left)
