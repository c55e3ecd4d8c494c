"""`createstudio dev` with the whole pipeline, as a real subprocess: every service answers, and
Ctrl-C (SIGINT) stops all of it: no process left (Java or Python), every port free again."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psutil
import pytest
import requests

from shared.cli.dev import READY_LINE
from shared.localstack.api_client import ApiClient
from shared.localstack.net import http_answers, port_is_free
from shared.localstack.pipeline_services import (
    CLOUD_RENDER,
    GATEWAY,
    GPU_SUBSCRIBER,
    ORCHESTRATOR,
    SWEEPER,
    worker_id,
)
from tests.integration.pipeline_env import wait_for

REPO = Path(__file__).resolve().parents[2]
PY = sys.executable
# What each pipeline service runs (python -m ...), to find it among dev's children.
MODULES = {
    GATEWAY: "shared.localstack.gateway",
    ORCHESTRATOR: "functions.orchestrator",
    CLOUD_RENDER: "functions.cloud_render",
    GPU_SUBSCRIBER: "gpu_subscriber",
    SWEEPER: "functions.sweeper",
}
EMULATOR_VARS = ("PUBSUB_EMULATOR_HOST", "FIRESTORE_EMULATOR_HOST", "STORAGE_EMULATOR_HOST")


@contextmanager
def dev_running(tmp_path: Path) -> Iterator[tuple[psutil.Popen, list[str]]]:
    """`createstudio dev --port 0` until it printed READY_LINE; its stdout lines so far."""
    # Not the session stack's variables: dev makes its own. Short heartbeats: a quick status.
    env = {k: v for k, v in os.environ.items() if k not in EMULATOR_VARS}
    env |= {"CS_HEARTBEAT_S": "1", "CS_ONLINE_CACHE_S": "0.5"}
    with open(tmp_path / "dev.log", "w") as stderr:
        proc = psutil.Popen(
            [PY, "-m", "shared.cli.main", "dev", "--port", "0"],
            cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=stderr, text=True,
        )  # fmt: skip
    lines: list[str] = []
    ready = threading.Event()

    def read() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.append(line.rstrip("\n"))
            if line.strip() == READY_LINE:
                ready.set()

    threading.Thread(target=read, daemon=True).start()
    try:
        if not ready.wait(180):
            log = (tmp_path / "dev.log").read_text()[-3000:]
            raise AssertionError(f"dev never got ready; stdout {lines}; log tail:\n{log}")
        yield proc, lines
    finally:
        if proc.poll() is None:  # a failed assertion: do not leave it running
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=60)
        assert proc.stdout is not None
        proc.stdout.close()


def exports_of(lines: list[str]) -> dict[str, str]:
    found = (line.removeprefix("export ").split("=", 1) for line in lines if "export " in line)
    return {key: value.strip("'") for key, value in found}


def command_lines(procs: list[psutil.Process]) -> list[str]:
    found = []
    for proc in procs:
        try:
            found.append(" ".join(proc.cmdline()))
        except psutil.NoSuchProcess:
            continue
    return found


def worker_processes(dev: psutil.Popen, module: str) -> list[psutil.Process]:
    """The processes running ``python -m module`` under dev (not the lifeline.py around them)."""
    found = []
    for proc in dev.children(recursive=True):
        try:
            command = proc.cmdline()
        except psutil.NoSuchProcess:
            continue
        if f"-m {module}" in " ".join(command) and not any("lifeline" in a for a in command):
            found.append(proc)
    return found


def alive(proc: psutil.Process) -> bool:
    try:
        return proc.is_running() and proc.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


@pytest.mark.emulator
@pytest.mark.slow
def test_dev_runs_every_service_and_ctrl_c_stops_all(tmp_path: Path) -> None:
    with dev_running(tmp_path) as (dev, lines):
        editor = next(re.search(r"http://[\d.]+:\d+", ln) for ln in lines if "editor" in ln)
        assert editor is not None
        url = editor.group(0)
        exports = exports_of(lines)
        assert len(exports["CS_SESSION_SECRET"]) >= 32
        emulators = [exports[v].removeprefix("http://") for v in EMULATOR_VARS]
        ports = [int(url.rsplit(":", 1)[1])] + [int(a.rsplit(":", 1)[1]) for a in emulators]

        children = dev.children(recursive=True)
        commands = command_lines(children)
        for name, module in MODULES.items():
            assert any(f"-m {module}" in c for c in commands), f"{name} is not running"
        assert sum("java" in c.split()[0] for c in commands) == 2  # Pub/Sub and Firestore
        assert all(http_answers(f"http://{address}/") for address in emulators)

        # The gateway: static web/, the API behind a login made with `createstudio users add`.
        schema = requests.get(f"{url}/schema/timeline.schema.json", timeout=10)
        assert schema.status_code == 200 and schema.json()["type"] == "object"
        assert requests.get(f"{url}/api/status", timeout=10).status_code == 401
        name, password = f"dev-{uuid.uuid4().hex[:8]}", f"pw-{uuid.uuid4().hex}"
        added = subprocess.run(
            [PY, "-m", "shared.cli.main", "users", "add", name, "--password-stdin"],
            cwd=REPO, env={**os.environ, **exports}, input=password + "\n",
            capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert added.returncode == 0, added.stderr
        api = ApiClient(url)
        assert api.login(name, password) == name

        # The workers are online: the local GPU box (no CUDA here) reports what it can take.
        def local_box() -> dict[str, Any] | None:
            workers = api.call("GET", "/api/status")["gpu_workers"]
            return next((w for w in workers if w["worker_id"] == worker_id(GPU_SUBSCRIBER)), None)

        box = wait_for("the local gpu_subscriber in /api/status", local_box, timeout_s=60)
        assert box["cuda"] is False and "render" in box["tasks"]

        # A worker killed outright is restarted by the stack (after its back-off), as the cloud
        # would restart it, and the log says so; the rest of the stack keeps running.
        [box_proc] = worker_processes(dev, MODULES[GPU_SUBSCRIBER])
        box_proc.kill()
        killed_at = time.monotonic()
        restarted = wait_for(
            "the gpu_subscriber restarted",
            lambda: [p for p in worker_processes(dev, MODULES[GPU_SUBSCRIBER]) if p != box_proc],
            timeout_s=30,
        )
        assert time.monotonic() - killed_at >= 1.0  # the first back-off
        log = (tmp_path / "dev.log").read_text()
        assert '"message": "service restarted"' in log and '"service": "gpu-subscriber"' in log
        assert dev.poll() is None
        children += restarted

        dev.send_signal(signal.SIGINT)
        assert dev.wait(timeout=90) == 0

    survivors = [c for c in command_lines([p for p in children if alive(p)])]
    assert survivors == [], f"left running after Ctrl-C: {survivors}"
    assert [port for port in ports if not port_is_free("127.0.0.1", port)] == []
    log = (tmp_path / "dev.log").read_text()
    assert '"message": "stack stopped"' in log


def test_a_busy_editor_port_is_named_before_anything_starts() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        done = subprocess.run(
            [PY, "-m", "shared.cli.main", "dev", "--port", str(port)],
            cwd=REPO, capture_output=True, text=True, timeout=60,
        )  # fmt: skip
    assert done.returncode == 1
    assert f"port {port} on 127.0.0.1 (editor and API) is already in use" in done.stderr
    assert "service starting" not in done.stderr  # nothing was started
