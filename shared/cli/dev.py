"""``createstudio dev``: run the local stack until Ctrl-C (SIGINT) or SIGTERM, then stop all of it.

Prints where each service listens and the ``export`` lines that point a shell at the stack (on
stdout); logs JSON lines (on stderr).
"""

from __future__ import annotations

import argparse
import logging
import os
import shlex
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

from shared.errors import ConfigError
from shared.localstack import RunningStack, ServiceStartError, StackConfig, start_stack
from shared.logs import configure_logging

log = logging.getLogger(__name__)

READY_LINE = "Ctrl-C stops everything."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--project",
        default=StackConfig.project_id,
        help="emulator-only project id, must start with 'demo-' (default: %(default)s)",
    )
    for service in ("pubsub", "firestore", "storage"):
        parser.add_argument(
            f"--{service}-port",
            type=int,
            default=0,
            metavar="N",
            help=f"port for the {service} emulator (default: any free port)",
        )


def run(args: argparse.Namespace) -> int:
    configure_logging(os.environ.get("CS_LOG_LEVEL", "INFO").upper())
    stop_requested = threading.Event()
    with _signals_set(stop_requested):
        try:
            config = StackConfig(
                project_id=args.project,
                pubsub_port=args.pubsub_port,
                firestore_port=args.firestore_port,
                storage_port=args.storage_port,
            )
            stack = start_stack(config)
        except (ConfigError, ServiceStartError) as exc:
            log.error("local stack did not start", extra={"error": str(exc)})
            print(f"createstudio dev: {exc}", file=sys.stderr)
            return 1
        with stack:
            print(describe(stack), flush=True)
            return _wait(stack, stop_requested)


def describe(stack: RunningStack) -> str:
    """What a developer needs: where each service is, and how to point a shell at it."""
    lines = [f"Create Studio local stack (project {stack.settings.project_id})"]
    lines += [f"  {name:<10} {endpoint.url}" for name, endpoint in stack.endpoints.items()]
    lines += [
        f"  {'buckets':<10} {stack.settings.media_bucket}, {stack.settings.renders_bucket}",
        "",
        "Point a shell at it:",
    ]
    lines += [f"export {key}={shlex.quote(value)}" for key, value in stack.env.items()]
    lines += ["", READY_LINE]
    return "\n".join(lines)


def _wait(stack: RunningStack, stop_requested: threading.Event) -> int:
    log.info("local stack running", extra={"pid": os.getpid()})
    while not stop_requested.wait(0.5):
        dead = stack.dead()
        if dead:
            for proc in dead:
                log.error(
                    "service exited on its own",
                    extra={"service": proc.name, "log_tail": proc.log_tail()},
                )
            return 1
    log.info("stopping the local stack")
    return 0


@contextmanager
def _signals_set(event: threading.Event) -> Iterator[None]:
    """SIGINT and SIGTERM only set ``event``: the main loop then stops the stack in order."""

    def request_stop(signum: int, frame: FrameType | None) -> None:
        log.info("stop requested", extra={"signal": signal.Signals(signum).name})
        event.set()

    previous = {sig: signal.signal(sig, request_stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
