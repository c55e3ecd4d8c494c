"""``createstudio dev``: run the local stack until Ctrl-C (SIGINT) or SIGTERM, then stop all of it.

The emulators first, then the pipeline (shared/localstack/pipeline_services.py): the gateway with
every HTTP function and the editor on one port, the orchestrator, the CPU renderer, one
gpu_subscriber and the sweeper. ``--emulators-only`` stops after the emulators. A pipeline
service that dies is restarted with back-off (shared/localstack/supervisor.py); an emulator that
dies ends the stack. Prints the URLs
and the ``export`` lines that point a shell at the stack (on stdout); logs JSON lines (on stderr).
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
from shared.localstack import Endpoint, RunningStack, ServiceStartError, StackConfig, start_stack
from shared.localstack.net import free_port, port_is_free
from shared.localstack.pipeline_services import SERVICES, start_pipeline
from shared.localstack.supervisor import Supervisor
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
    parser.add_argument(
        "--port",
        type=int,
        default=8080,
        metavar="N",
        help="port for the editor and the HTTP API (default: %(default)s; 0: any free port)",
    )
    parser.add_argument(
        "--emulators-only",
        action="store_true",
        help="start the emulators only, not the functions and workers",
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
            stack, gateway = start_local(config, None if args.emulators_only else args.port)
        except (ConfigError, ServiceStartError) as exc:
            log.error("local stack did not start", extra={"error": str(exc)})
            print(f"createstudio dev: {exc}", file=sys.stderr)
            return 1
        with stack:
            print(describe(stack, gateway), flush=True)
            return _wait(stack, stop_requested)


def start_local(
    config: StackConfig, gateway_port: int | None
) -> tuple[RunningStack, Endpoint | None]:
    """The emulators and, with a gateway port (0: any free one), the whole pipeline.

    Returns the gateway's endpoint (None: emulators only). Stops what it started on failure.
    """
    gateway = None if gateway_port is None else _gateway_endpoint(config.host, gateway_port)
    stack = start_stack(config)
    if gateway is None:
        return stack, None
    try:
        start_pipeline(stack, gateway)
    except BaseException:
        stack.stop()
        raise
    return stack, gateway


def _gateway_endpoint(host: str, port: int) -> Endpoint:
    if not 0 <= port <= 65535:
        raise ConfigError(f"--port {port} is not a TCP port (0-65535; 0 = any)")
    if port == 0:
        return Endpoint(host, free_port(host))
    if not port_is_free(host, port):
        raise ConfigError(
            f"port {port} on {host} (editor and API) is already in use: pick another with "
            "--port N, or --port 0 for any free port"
        )
    return Endpoint(host, port)


def describe(stack: RunningStack, gateway: Endpoint | None = None) -> str:
    """What a developer needs: where each service is, and how to point a shell at it."""
    lines = [f"Create Studio local stack (project {stack.settings.project_id})"]
    if gateway is not None:
        lines += [
            f"  {'editor':<10} {gateway.url}/",
            f"  {'API':<10} {gateway.url}/api (docs/api.md)",
        ]
    lines += [f"  {name:<10} {endpoint.url}" for name, endpoint in stack.endpoints.items()]
    lines += [f"  {'buckets':<10} {stack.settings.media_bucket}, {stack.settings.renders_bucket}"]
    if gateway is not None:
        workers = ", ".join(p.name for p in stack.processes if p.name not in stack.endpoints)
        lines += [f"  {'processes':<10} {workers}"]
    lines += [
        "",
        "Point a shell at it:",
    ]
    lines += [f"export {key}={shlex.quote(value)}" for key, value in stack.env.items()]
    if gateway is not None:
        lines += ["", "Then add a user to sign in with: createstudio users add NAME"]
    lines += ["", READY_LINE]
    return "\n".join(lines)


def _wait(stack: RunningStack, stop_requested: threading.Event) -> int:
    log.info("local stack running", extra={"pid": os.getpid()})
    supervisor = Supervisor(stack, restartable=SERVICES)
    while not stop_requested.wait(0.5):
        dead = supervisor.check()
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
