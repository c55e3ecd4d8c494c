"""The event pipeline as local-stack services: what `createstudio dev` runs beside the emulators.

    gateway         one HTTP port: /api/auth|jobs|media|status (the HTTP functions) + web/ at /
    orchestrator    the `orchestrator` function, fed by its Pub/Sub subscription
    cloud-render    the CPU renderer (the `tasks-cloud` worker)
    gpu-subscriber  one GPU box; here on the CPU, so it announces no CUDA
    sweeper         the scheduled `sweeper` function, on a timer

Pub/Sub deliveries: each event-triggered function runs as its local pull stand-in (``python -m
functions.orchestrator``, ``python -m functions.cloud_render``) rather than behind a push bridge
that posts CloudEvents to a functions-framework server. Both call the same handler and settle a
message the same way (``settle_push``: ack, or hand back for redelivery); the pull loop also
extends the lease while a long render runs, needs no HTTP server per function, and is what the
tests of those functions already exercise. The emulator's push would add nothing but a port.

Every process shares the stack's environment plus a session secret made for this stack
(``CS_SESSION_SECRET``), so a cookie signed by one process is valid in every other.
"""

from __future__ import annotations

import dataclasses
import json
import secrets
import sys
from collections.abc import Mapping
from pathlib import Path

from shared.adapters.firestore_workers import COLLECTION
from shared.localstack import emulators
from shared.localstack.gateway import REPO_ROOT, gateway_service
from shared.localstack.net import Endpoint
from shared.localstack.service import ReadinessCheck, Service, ServiceProcess, log_file_in
from shared.localstack.stack import RunningStack
from shared.localstack.user_firestore import UserFirestore, decode_fields

GATEWAY = "gateway"
ORCHESTRATOR = "orchestrator"
CLOUD_RENDER = "cloud-render"
GPU_SUBSCRIBER = "gpu-subscriber"
SWEEPER = "sweeper"
SERVICES = (GATEWAY, ORCHESTRATOR, CLOUD_RENDER, GPU_SUBSCRIBER, SWEEPER)

SESSION_SECRET = "CS_SESSION_SECRET"
SWEEP_EVERY_S = 30.0  # the cloud's scheduler runs it every minute; locally a little more often


def logged(log_path: Path, message: str) -> ReadinessCheck:
    """Ready once the service wrote a JSON log line with this message (its pull loop started)."""

    def check() -> bool:
        try:
            lines = log_path.read_text(errors="replace").splitlines()
        except FileNotFoundError:
            return False
        for line in lines:
            try:
                if json.loads(line).get("message") == message:
                    return True
            except (json.JSONDecodeError, AttributeError):
                continue  # a line that is not ours (a library printing)
        return False

    return check


def pulling(firestore: UserFirestore, heartbeat_doc: str) -> ReadinessCheck:
    """Ready once the worker's heartbeat says a pull returned: routing now counts it online."""

    def check() -> bool:
        answer = firestore.fetch(heartbeat_doc)
        if answer.status_code != 200:
            return False
        beat = decode_fields(answer.json().get("fields", {}))
        return beat.get("last_pull_at") is not None and not beat.get("stopping")

    return check


def pipeline_services(
    stack: RunningStack,
    gateway: Endpoint,
    *,
    sweep_every_s: float = SWEEP_EVERY_S,
    env: Mapping[str, str] | None = None,
) -> list[Service]:
    """The services, each with the stack's env plus ``env`` (tests: a topic prefix, timings)."""
    shared_env = {"CS_TOPIC_PREFIX": stack.env["CS_TOPIC_PREFIX"], **(env or {})}
    admin = UserFirestore.as_owner(
        stack.endpoints[emulators.FIRESTORE].address, stack.settings.project_id
    )

    def own_env(name: str) -> dict[str, str]:
        return {
            "PYTHONPATH": str(REPO_ROOT),  # `python -m functions...` from any cwd
            "CS_WORK_DIR": str(stack.workdir(name) / "work"),  # removed with the stack
            "CS_WORKER_ID": worker_id(name),
            **shared_env,
        }

    def module(name: str, argv: tuple[str, ...], ready: ReadinessCheck) -> Service:
        argv = (sys.executable, "-m", *argv)
        return Service(name, argv, ready, env=own_env(name), startup_timeout_s=60.0)

    def log_says(name: str, message: str) -> ReadinessCheck:
        return logged(log_file_in(stack.workdir(name), name), message)

    def online(name: str) -> ReadinessCheck:
        # Heartbeat documents are keyed by deployment (the topic prefix) and worker id.
        doc = f"{COLLECTION}/{shared_env['CS_TOPIC_PREFIX']}{worker_id(name)}"
        return pulling(admin, doc)

    gateway_svc = gateway_service(gateway)
    sweep = ("functions.sweeper", "--every", str(sweep_every_s))
    return [
        dataclasses.replace(gateway_svc, env={**gateway_svc.env, **own_env(GATEWAY)}),
        module(
            ORCHESTRATOR, ("functions.orchestrator",), log_says(ORCHESTRATOR, "orchestrator ready")
        ),
        module(CLOUD_RENDER, ("functions.cloud_render",), online(CLOUD_RENDER)),
        module(GPU_SUBSCRIBER, ("gpu_subscriber",), online(GPU_SUBSCRIBER)),
        module(SWEEPER, sweep, log_says(SWEEPER, "sweeper ready")),
    ]


def worker_id(service_name: str) -> str:
    return f"local-{service_name}"


def start_pipeline(
    stack: RunningStack,
    gateway: Endpoint,
    *,
    sweep_every_s: float = SWEEP_EVERY_S,
    env: Mapping[str, str] | None = None,
) -> list[ServiceProcess]:
    """Start every pipeline service on ``stack`` (side by side) and wait until each is ready.

    Makes the stack's session secret first, so ``stack.env`` (the export lines) carries it.
    """
    stack.env.setdefault(SESSION_SECRET, secrets.token_urlsafe(32))
    services = pipeline_services(stack, gateway, sweep_every_s=sweep_every_s, env=env)
    return stack.add_all(services)
