"""A long-running worker process: heartbeat, one task at a time, clean shutdown.

Used by gpu_subscriber (subscription gpu-tasks) and by the CPU renderer's pull mode
(cloud-render). Synchronous pull of one message, its lease extended every ``lease_s / 3`` for as
long as the task runs (there is no one-hour cap as in streaming pull's ``max_lease_duration``),
then ack or nack (shared.adapters.pubsub_bus.PullWorker; the emulator's streaming pull loses
messages after a restart, notes §0.4).

Liveness: the heartbeat carries ``last_pull_at``, the last time a pull returned; routing counts an
idle worker as online only while that is fresh, so a process that heartbeats but receives nothing
(wrong subscription, broken client) gets no work routed to it.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from types import FrameType

from pydantic import TypeAdapter

from shared.adapters.pubsub_bus import PullWorker
from shared.errors import AppError
from shared.pipeline.heartbeat import Heartbeat
from shared.pipeline.messages import WorkerMessage
from shared.pipeline.ports import PipelineServices
from shared.pipeline.worker import TaskWorker

log = logging.getLogger(__name__)


class WorkerLoop:
    def __init__(
        self,
        ports: PipelineServices,
        worker: TaskWorker,
        subscription: str,
        describe: Callable[[], Heartbeat],
        *,
        pull_timeout_s: float = 5.0,
        lease_s: int = 60,
    ) -> None:
        self._ports = ports
        self.worker = worker
        self._subscription = subscription
        self._describe = describe
        self._pull_timeout_s = pull_timeout_s
        self._lease_s = lease_s
        self.last_pull_at: datetime | None = None
        self._done = threading.Event()

    def install_signal_handlers(self) -> None:
        """SIGTERM / SIGINT: take no new work; the running task finishes within the grace
        period or is handed back."""

        def on_signal(signum: int, frame: FrameType | None) -> None:
            log.info("signal %s: stopping (no new work)", signal.Signals(signum).name)
            self.worker.stop.set()

        signal.signal(signal.SIGTERM, on_signal)
        signal.signal(signal.SIGINT, on_signal)

    def heartbeat(self) -> Heartbeat:
        beat = self._describe().model_copy(
            update={
                "current_task": self.worker.current,
                "last_pull_at": self.last_pull_at,
                "pull_timeout_s": self._pull_timeout_s,
                "stopping": self.worker.stop.is_set(),
            }
        )
        self._ports.workers.beat(beat)
        return beat

    def run_heartbeats(self) -> None:
        """Write the heartbeat now and every ``heartbeat_s`` until the loop ends."""
        while True:
            try:
                self.heartbeat()
            except AppError as exc:
                log.warning("heartbeat not written: %s", exc.message)
            if self._done.wait(self._ports.config.heartbeat_s):
                return

    def run(self) -> int:
        """Work until the worker's stop event is set; 0 on a clean stop."""
        puller = PullWorker(
            self._ports.bus, self._subscription, TypeAdapter(WorkerMessage), self.worker.handler,
            lease_s=self._lease_s,
        )  # fmt: skip
        beats = threading.Thread(target=self.run_heartbeats, name="heartbeat", daemon=True)
        beats.start()
        log.info("worker ready", extra={"subscription": self._subscription})
        try:
            while not self.worker.stop.is_set():
                try:
                    outcome = puller.run_once(timeout_s=self._pull_timeout_s)
                except AppError as exc:
                    log.warning("pull failed: %s", exc.message)
                    self.worker.stop.wait(1.0)
                    continue
                self.last_pull_at = datetime.now(UTC)
                if outcome is not None:
                    log.info("message settled: %s", outcome.value)
        finally:
            self._done.set()
            beats.join()
            try:
                self.heartbeat()  # stopping=True: routing stops choosing this worker now
            except AppError as exc:
                log.warning("last heartbeat not written: %s", exc.message)
        log.info("worker stopped")
        return 0
