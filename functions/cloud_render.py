"""The CPU renderer: the cloud worker for the ``tasks-cloud`` topic, on the shared worker core.

Two ways to run the same TaskWorker:

- Cloud Run service, Pub/Sub push (``cloud_render``, an HTTP function). A push subscription's ack
  deadline (at most 600 s) is also its HTTP timeout, and a render can outlive it, so Cloud Run is
  configured for it: request timeout 3600 s, concurrency 1 (one render per instance, all its
  CPUs), CPU always allocated (the heartbeat thread runs between requests), min instances 0.
  When a render outlives the push deadline Pub/Sub pushes the message again: the second request
  finds the task running on another worker and answers 204, and the first one reports the result
  when it ends (TaskFinished on ``jobs``), so nothing depends on the push's own ack. If that
  instance dies, its heartbeat goes stale and the sweeper starts a new attempt.
  Answer: 204 = ack; 503 = hand back (Pub/Sub redelivers with the subscription's backoff).
- Pull worker (``python -m functions.cloud_render``): synchronous pull on ``cloud-render``, lease
  extended while it works. The local stack runs this: the emulator can push, but a push worker
  needs an HTTP server per instance and cannot hand a task back any faster than a nack, and the
  pull loop is the same code the GPU boxes run. It also suits a Cloud Run worker pool or a VM.
"""

from __future__ import annotations

import functools
import os
import socket
import sys
import threading
from datetime import UTC, datetime

import flask
import functions_framework
from pydantic import TypeAdapter

from shared.adapters.pubsub_bus import Outcome
from shared.imagery.worker import generation_worker
from shared.logs import configure_logging
from shared.pipeline.executor_map import task_executors
from shared.pipeline.heartbeat import Heartbeat
from shared.pipeline.messages import CPU_KINDS, GenerateMedia, Route, TaskCommand, WorkerMessage
from shared.pipeline.ports import PipelineServices
from shared.pipeline.push import settle_push
from shared.pipeline.services import bootstrap
from shared.pipeline.worker import TaskWorker
from shared.pipeline.worker_loop import WorkerLoop
from shared.topology import CLOUD_RENDER

KINDS = CPU_KINDS

_MESSAGES: TypeAdapter[TaskCommand | GenerateMedia] = TypeAdapter(WorkerMessage)


def worker_id() -> str:
    return os.environ.get("CS_WORKER_ID", "").strip() or f"cloud-{socket.gethostname()}"


def describe(worker: str, started_at: datetime) -> Heartbeat:
    return Heartbeat(
        worker_id=worker, route=Route.CLOUD, host=socket.gethostname(), tasks=KINDS,
        started_at=started_at,
    )  # fmt: skip


def build_loop(ports: PipelineServices, worker: str, pull_timeout_s: float = 5.0) -> WorkerLoop:
    executors = task_executors(ports)
    started = datetime.now(UTC)
    return WorkerLoop(
        ports,
        TaskWorker(
            ports,
            executors,
            worker,
            where="in the cloud (CPU)",
            generate=generation_worker(ports, models=None, worker_id=worker),
        ),  # fmt: skip
        ports.settings.topic(CLOUD_RENDER),
        lambda: describe(worker, started),
        pull_timeout_s=pull_timeout_s,
    )


@functools.cache
def _push_loop() -> WorkerLoop:
    """One worker per instance; its heartbeat thread starts with the first request."""
    loop = build_loop(bootstrap(), worker_id())
    threading.Thread(target=loop.run_heartbeats, name="heartbeat", daemon=True).start()
    return loop


@functions_framework.http
def cloud_render(request: flask.Request) -> tuple[str, int]:
    loop = _push_loop()
    outcome = settle_push(request.get_json(silent=True), _MESSAGES, loop.worker.handler)
    return ("", 503) if outcome is Outcome.NACKED else ("", 204)


def main() -> int:
    ports = bootstrap()
    configure_logging(ports.settings.log_level)
    loop = build_loop(ports, worker_id())
    loop.install_signal_handlers()
    return loop.run()


if __name__ == "__main__":
    sys.exit(main())
