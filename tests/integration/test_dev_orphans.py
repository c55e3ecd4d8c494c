"""A SIGKILLed `createstudio dev` leaves nothing running: each service's lifeline takes its
process group (the Java emulators included) down with it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil
import pytest

from shared.cli.dev import READY_LINE

pytestmark = pytest.mark.emulator

REPO = Path(__file__).resolve().parents[2]
EMULATOR_VARS = ("PUBSUB_EMULATOR_HOST", "FIRESTORE_EMULATOR_HOST", "STORAGE_EMULATOR_HOST")


def _alive(procs: list[psutil.Process]) -> list[psutil.Process]:
    left = []
    for proc in procs:
        try:
            if proc.status() != psutil.STATUS_ZOMBIE:
                left.append(proc)
        except psutil.NoSuchProcess:
            pass
    return left


def test_sigkilled_dev_leaves_no_emulator_running(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in EMULATOR_VARS}
    with open(tmp_path / "dev.log", "w") as stderr:
        dev = psutil.Popen(
            [sys.executable, "-m", "shared.cli.main", "dev", "--emulators-only"],
            cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=stderr, text=True,
        )  # fmt: skip
    ready = threading.Event()

    def read() -> None:
        assert dev.stdout is not None
        for line in dev.stdout:
            if line.strip() == READY_LINE:
                ready.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    children: list[psutil.Process] = []
    try:
        assert ready.wait(180), (tmp_path / "dev.log").read_text()[-3000:]
        children = dev.children(recursive=True)
        java = [p for p in children if "java" in p.name().lower()]
        assert len(java) >= 2, [p.cmdline()[:3] for p in children]  # Pub/Sub and Firestore
        dev.send_signal(signal.SIGKILL)
        dev.wait(timeout=10)
        deadline = time.monotonic() + 15
        while _alive(children) and time.monotonic() < deadline:
            time.sleep(0.2)
        left = _alive(children)
        assert not left, [(p.pid, p.name()) for p in left]
    finally:
        for proc in _alive(children):  # a failed run: leave nothing behind either
            proc.kill()
        if dev.poll() is None:
            dev.kill()
            dev.wait(timeout=10)
        reader.join(timeout=10)
        assert dev.stdout is not None
        dev.stdout.close()
