"""The orchestrator: a CloudEvent function on the ``jobs`` topic, thin over services.advance.

Deployed as a 2nd-gen Cloud Function with an Eventarc Pub/Sub trigger and retries on: a
transient failure raises (Pub/Sub redelivers with backoff); a permanent one is logged and the
event returns normally (never retried for 24 h). Every step is idempotent (services.advance).

Locally (no Eventarc) ``python -m functions.orchestrator`` pulls the ``orchestrator``
subscription and runs the same handler.
"""

from __future__ import annotations

import functools
import logging
import sys
import threading

import functions_framework
from cloudevents.http import CloudEvent
from pydantic import TypeAdapter

from shared.adapters.pubsub_bus import Handler, Outcome, PullWorker
from shared.errors import TransientError
from shared.logs import configure_logging
from shared.pipeline.messages import JobMessage
from shared.pipeline.ports import PipelineServices
from shared.pipeline.push import settle_push
from shared.pipeline.services import JobMessageT, advance, bootstrap
from shared.ports import Delivery
from shared.topology import ORCHESTRATOR

log = logging.getLogger(__name__)

JOB_MESSAGES: TypeAdapter[JobMessageT] = TypeAdapter(JobMessage)


@functools.cache
def _ports() -> PipelineServices:
    return bootstrap()


def handler(ports: PipelineServices) -> Handler[JobMessageT]:
    def handle(message: JobMessageT, delivery: Delivery) -> None:
        advance(message, ports)

    return handle


@functions_framework.cloud_event
def orchestrator(cloud_event: CloudEvent) -> None:
    outcome = settle_push(cloud_event.data, JOB_MESSAGES, handler(_ports()))
    if outcome is Outcome.NACKED:
        raise TransientError(f"event {cloud_event['id']}: handed back for a retry")


def pull_worker(ports: PipelineServices) -> PullWorker[JobMessageT]:
    """The local stand-in for the Eventarc trigger."""
    return PullWorker(
        ports.bus, ports.settings.topic(ORCHESTRATOR), JOB_MESSAGES, handler(ports), lease_s=60
    )


def main() -> int:
    ports = bootstrap()
    configure_logging(ports.settings.log_level)
    stop = threading.Event()
    worker = pull_worker(ports)
    log.info("orchestrator ready", extra={"subscription": ports.settings.topic(ORCHESTRATOR)})
    try:
        worker.run(stop, poll_s=5.0)
    except KeyboardInterrupt:
        stop.set()
    return 0


if __name__ == "__main__":
    sys.exit(main())
