"""The local stack's process hygiene: it starts, it answers, and it leaves nothing behind.

The `createstudio dev` tests run the real CLI as a subprocess and look at the real process tree
(psutil): after each stop no process it started may remain (Java included) and every port must
be free again, so the next start on the same ports works.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import psutil
import pytest

from shared.cli.dev import READY_LINE
from shared.errors import ConfigError
from shared.localstack import (
    RunningStack,
    Service,
    ServiceProcess,
    ServiceStartError,
    StackConfig,
    start_stack,
)
from shared.localstack.clients import EmulatorClients
from shared.localstack.net import http_answers, port_is_free
from shared.localstack.service import group_members

REPO = Path(__file__).resolve().parents[2]
PY = sys.executable


# --- ServiceProcess: start, readiness errors, stop (cheap processes, no emulator) -------------


def test_a_service_that_exits_early_fails_with_its_log_tail(tmp_path: Path) -> None:
    service = Service(
        "boom", (PY, "-c", "print('bad flag --x'); raise SystemExit(3)"), lambda: False
    )
    proc = ServiceProcess.start(service, tmp_path, {})
    with pytest.raises(ServiceStartError, match=r"(?s)boom exited with status 3.*bad flag --x"):
        proc.wait_ready()
    proc.stop()


def test_a_service_that_never_answers_times_out_and_is_killed(tmp_path: Path) -> None:
    service = Service(
        "mute",
        (PY, "-c", "print('warming up', flush=True); import time; time.sleep(60)"),
        ready=lambda: False,
        startup_timeout_s=0.5,
    )
    proc = ServiceProcess.start(service, tmp_path, {})
    with pytest.raises(ServiceStartError, match=r"(?s)mute did not answer within 0 s.*warming up"):
        proc.wait_ready()
    proc.stop()
    assert group_members(proc.pgid) == []


def test_stop_kills_the_whole_group_even_children_that_ignore_sigterm(tmp_path: Path) -> None:
    # A launcher whose child ignores SIGTERM: like gcloud and its Java emulator, but stubborn.
    marker = tmp_path / "ignoring"
    stubborn = (
        "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
        f"open({str(marker)!r}, 'w').close(); time.sleep(60)"
    )
    service = Service("stubborn", ("sh", "-c", f'{PY} -c "{stubborn}" & wait'), marker.exists)
    proc = ServiceProcess.start(service, tmp_path, {})
    proc.wait_ready()
    members = group_members(proc.pgid)
    assert len(members) == 3  # the lifeline, sh and its stubborn child

    started = time.monotonic()
    proc.stop(grace_s=0.5)

    assert group_members(proc.pgid) == []
    assert not any(_alive(psutil.Process(pid)) for pid in members if psutil.pid_exists(pid))
    assert 0.5 <= time.monotonic() - started < 5  # waited out the grace, then SIGKILL


def test_exiting_without_stopping_still_stops_the_services() -> None:
    # The atexit path: a "test run" that forgets to stop (or dies of an exception).
    script = (
        "from pathlib import Path; import tempfile\n"
        "from shared.localstack import Service, ServiceProcess\n"
        "s = Service('sleeper', ('sleep', '60'), ready=lambda: True)\n"
        "p = ServiceProcess.start(s, Path(tempfile.mkdtemp()), {})\n"
        "print(p.pgid, flush=True)\n"
        "raise RuntimeError('crash')\n"
    )
    done = subprocess.run([PY, "-c", script], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert "RuntimeError: crash" in done.stderr
    assert group_members(int(done.stdout.split()[0])) == []


def test_configuration_errors_name_the_problem() -> None:
    with pytest.raises(ConfigError, match="'my-prod-project'.*start with 'demo-'"):
        StackConfig(project_id="my-prod-project")
    with pytest.raises(ConfigError, match="firestore port 70000 is not a TCP port"):
        StackConfig(firestore_port=70000)


def test_a_busy_port_is_refused_before_anything_starts() -> None:
    with _listening_socket() as port:
        with pytest.raises(ConfigError, match=f"pubsub port {port} on 127.0.0.1 is already in use"):
            start_stack(StackConfig(pubsub_port=port))


def test_a_missing_rules_file_is_named(tmp_path: Path) -> None:
    missing = tmp_path / "missing.rules"
    with pytest.raises(ConfigError, match=f"Firestore rules file {missing} does not exist"):
        start_stack(StackConfig(rules_file=missing, sdk_root=tmp_path))


def test_without_gcloud_the_error_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(ConfigError, match="gcloud is not on PATH: install the Google Cloud CLI"):
        start_stack()


# --- Whole stacks on the real emulators ------------------------------------------------------


@pytest.mark.emulator
@pytest.mark.slow
def test_two_stacks_at_once_do_not_collide(tmp_path: Path) -> None:
    with start_stack() as first, start_stack() as second:
        ports = [e.port for s in (first, second) for e in s.endpoints.values()]
        assert len(set(ports)) == 6
        assert first.data_dir != second.data_dir
        topic = f"projects/{first.settings.project_id}/topics/only-in-first"
        bucket = first.settings.media_bucket  # same name in both stacks

        with _clients(first) as a, _clients(second) as b:
            a.publisher.create_topic(name=topic)
            a.storage.bucket(bucket).blob("only-in-first.txt").upload_from_string(b"1")

            project = f"projects/{second.settings.project_id}"
            assert topic not in {t.name for t in b.publisher.list_topics(project=project)}
            assert not b.storage.bucket(bucket).blob("only-in-first.txt").exists()
            assert a.storage.bucket(bucket).blob("only-in-first.txt").exists()

        assert _firestore_doc(first, "PATCH") == 200
        assert _firestore_doc(first, "GET") == 200
        assert _firestore_doc(second, "GET") == 404
        first.clear_firestore()
        assert _firestore_doc(first, "GET") == 404

        # A service added later (a function server, a worker) gets the stack's environment
        # and is stopped with the stack.
        seen = tmp_path / "env.json"
        dump_env = f"import json, os; open({str(seen)!r}, 'w').write(json.dumps(dict(os.environ)))"
        worker = Service(
            "worker", (PY, "-c", f"{dump_env}; import time; time.sleep(60)"), seen.exists
        )
        first.add(worker)
        assert (
            json.loads(seen.read_text())["PUBSUB_EMULATOR_HOST"]
            == (first.env["PUBSUB_EMULATOR_HOST"])
        )
        groups = [p.pgid for s in (first, second) for p in s.processes]
        assert len(groups) == 7

    assert all(group_members(pgid) == [] for pgid in groups)
    assert all(port_is_free("127.0.0.1", port) for port in ports)
    assert not first.data_dir.exists() and not second.data_dir.exists()


@pytest.mark.emulator
@pytest.mark.slow
def test_dev_starts_and_stops_twice_on_the_same_ports(tmp_path: Path) -> None:
    ports = dict(zip(("pubsub", "firestore", "storage"), _fixed_ports(3), strict=True))
    for round_, stop_signal in enumerate((signal.SIGINT, signal.SIGTERM)):
        stderr_path = tmp_path / f"dev-{round_}.log"
        with _dev(ports, stderr_path) as (dev, exports):
            assert exports["PUBSUB_EMULATOR_HOST"] == f"127.0.0.1:{ports['pubsub']}"
            assert exports["FIRESTORE_EMULATOR_HOST"] == f"127.0.0.1:{ports['firestore']}"
            assert exports["STORAGE_EMULATOR_HOST"] == f"http://127.0.0.1:{ports['storage']}"
            assert exports["GOOGLE_CLOUD_PROJECT"].startswith("demo-")
            assert all(http_answers(f"http://127.0.0.1:{port}/") for port in ports.values())

            started = dev.children(recursive=True)
            assert sum("java" in _name(p) for p in started) == 2  # Pub/Sub and Firestore
            groups = {p.pid for p in started if _group(p) == p.pid}
            assert len(groups) == 3  # one process group per emulator

            dev.send_signal(stop_signal)
            assert dev.wait(timeout=60) == 0

        survivors = [p for p in started if _alive(p)]
        assert survivors == [], f"left running after {stop_signal.name}: {survivors}"
        assert all(group_members(pgid) == [] for pgid in groups)
        assert [n for n, port in ports.items() if not port_is_free("127.0.0.1", port)] == []
        logged = stderr_path.read_text().splitlines()
        assert logged and all(json.loads(line)["severity"] for line in logged)
        assert any(json.loads(line)["message"] == "stack stopped" for line in logged)


@pytest.mark.emulator
@pytest.mark.slow
def test_a_test_run_killed_by_sigterm_leaves_no_emulator_behind() -> None:
    script = (
        "import time\n"
        "from shared.localstack import start_stack\n"
        "stack = start_stack()\n"
        "print(' '.join(str(p.pgid) for p in stack.processes), flush=True)\n"
        "time.sleep(120)\n"
    )
    child = subprocess.Popen([PY, "-c", script], cwd=REPO, stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None
    groups = [int(pgid) for pgid in child.stdout.readline().split()]
    child.stdout.close()
    assert len(groups) == 3 and all(group_members(pgid) for pgid in groups)

    child.send_signal(signal.SIGTERM)

    assert child.wait(timeout=60) == -signal.SIGTERM
    assert all(group_members(pgid) == [] for pgid in groups)


@pytest.mark.emulator
@pytest.mark.slow
def test_without_the_sdk_launchers_it_falls_back_to_gcloud(tmp_path: Path) -> None:
    # An SDK root that only has bin/gcloud: the direct launchers are missing.
    gcloud = shutil.which("gcloud")
    assert gcloud is not None
    (tmp_path / "bin").mkdir()
    (tmp_path / "bin" / "gcloud").symlink_to(gcloud)

    with start_stack(StackConfig(sdk_root=tmp_path)) as stack:
        launchers = {p.name: Path(p.service.argv[0]).name for p in stack.processes}
        assert launchers == {"pubsub": "gcloud", "firestore": "gcloud", "storage": Path(PY).name}
        assert all(http_answers(e.url) for e in stack.endpoints.values())
        groups = [p.pgid for p in stack.processes]

    assert all(group_members(pgid) == [] for pgid in groups)


# --- helpers ----------------------------------------------------------------------------------


class _dev:
    """`createstudio dev` on fixed ports, as a real subprocess; yields it and its exports."""

    def __init__(self, ports: dict[str, int], stderr_path: Path) -> None:
        self.argv = [PY, "-m", "shared.cli.main", "dev", "--emulators-only"]
        for name, port in ports.items():
            self.argv += [f"--{name}-port", str(port)]
        self.stderr_path = stderr_path

    def __enter__(self) -> tuple[psutil.Popen, dict[str, str]]:
        with open(self.stderr_path, "w") as stderr:
            self.proc = psutil.Popen(
                self.argv, cwd=REPO, stdout=subprocess.PIPE, stderr=stderr, text=True
            )
        lines = _read_until(self.proc, READY_LINE, timeout_s=120)
        exports = dict(
            line.removeprefix("export ").split("=", 1)
            for line in lines
            if line.startswith("export ")
        )
        return self.proc, exports

    def __exit__(self, *exc: object) -> None:
        if self.proc.poll() is None:  # a failed assertion: do not leave it running
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(timeout=60)
        assert self.proc.stdout is not None
        self.proc.stdout.close()


def _read_until(proc: psutil.Popen, marker: str, timeout_s: float) -> list[str]:
    lines: list[str] = []
    found = threading.Event()

    def read() -> None:
        for line in proc.stdout:
            lines.append(line.rstrip("\n"))
            if line.strip() == marker:
                found.set()
                return

    threading.Thread(target=read, daemon=True).start()
    if not found.wait(timeout_s):
        proc.send_signal(signal.SIGTERM)
        raise AssertionError(f"`createstudio dev` never printed {marker!r}; stdout: {lines}")
    return lines


def _clients(stack: RunningStack) -> EmulatorClients:
    return EmulatorClients(
        stack.settings.project_id, stack.endpoints["pubsub"], stack.endpoints["storage"]
    )


def _fixed_ports(count: int) -> list[int]:
    """Free ports below the kernel's ephemeral range, so no outgoing connection takes one
    between the two rounds (free_port() would hand out ports from inside that range)."""
    low = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    candidates = random.sample(range(low // 2, low), 200)
    return [port for port in candidates if port_is_free("127.0.0.1", port)][:count]


def _firestore_doc(stack: RunningStack, method: str) -> int:
    """Write or read jobs/probe over the emulator's REST API as the admin ("Bearer owner")."""
    url = (
        f"{stack.endpoints['firestore'].url}/v1/projects/{stack.settings.project_id}"
        "/databases/(default)/documents/jobs/probe"
    )
    body = json.dumps({"fields": {"status": {"stringValue": "pending"}}}).encode()
    request = urllib.request.Request(
        url,
        method=method,
        data=body if method == "PATCH" else None,
        headers={"Authorization": "Bearer owner", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        exc.close()
        return int(exc.code)


class _listening_socket:
    def __enter__(self) -> int:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen()
        return int(self.sock.getsockname()[1])

    def __exit__(self, *exc: object) -> None:
        self.sock.close()


def _alive(proc: psutil.Process) -> bool:
    try:
        return proc.is_running() and proc.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def _name(proc: psutil.Process) -> str:
    try:
        return proc.name()
    except psutil.NoSuchProcess:
        return ""


def _group(proc: psutil.Process) -> int | None:
    try:
        return os.getpgid(proc.pid)
    except ProcessLookupError:
        return None
