"""The sweeper: an HTTP function that Cloud Scheduler calls every minute (OIDC-authenticated,
invoker role for the scheduler's service account only), thin over shared.pipeline.sweep.

Locally ``python -m functions.sweeper --every 10`` runs it in a loop.
"""

from __future__ import annotations

import argparse
import functools
import logging
import sys
import threading
from dataclasses import asdict
from typing import Any

import flask
import functions_framework

from shared.logs import configure_logging
from shared.pipeline.ports import PipelineServices
from shared.pipeline.services import bootstrap
from shared.pipeline.sweep import sweep

log = logging.getLogger(__name__)


@functools.cache
def _ports() -> PipelineServices:
    return bootstrap()


@functions_framework.http
def sweeper(request: flask.Request) -> dict[str, Any]:
    return asdict(sweep(_ports()))


def run_every(ports: PipelineServices, every_s: float, stop: threading.Event) -> None:
    while not stop.wait(every_s):
        sweep(ports)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="sweeper")
    parser.add_argument("--every", type=float, default=60.0, help="seconds between sweeps")
    args = parser.parse_args(argv)
    ports = bootstrap()
    configure_logging(ports.settings.log_level)
    log.info("sweeper ready", extra={"every_s": args.every})
    try:
        run_every(ports, args.every, threading.Event())
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
