"""One local service: how to start it, how to tell it is up, and how to stop all of it.

Each service runs in its own session, hence its own process group, and is stopped by signalling
the whole group: the emulators' launchers (gcloud, shell scripts) leave their Java child running
when only the launcher dies (notes §0.10), and the orphan keeps the port. Each runs under
lifeline.py, which takes the group down when this process dies, even of SIGKILL.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from shared.localstack import cleanup

log = logging.getLogger(__name__)

LIFELINE = Path(__file__).with_name("lifeline.py")
_lifeline: tuple[int, int] | None = None  # (pid that made it, the pipe's read end)

ReadinessCheck = Callable[[], bool]


class ServiceStartError(RuntimeError):
    """A service exited or never became ready; the message carries the tail of its log."""


@dataclass(frozen=True)
class Service:
    """What to run. ``env`` is added on top of the environment the stack gives every service."""

    name: str
    argv: tuple[str, ...]
    ready: ReadinessCheck
    env: Mapping[str, str] = field(default_factory=dict)
    startup_timeout_s: float = 90.0


class ServiceProcess:
    """A started service: its process group, its log file, and how to stop it."""

    def __init__(self, service: Service, popen: subprocess.Popen[bytes], log_path: Path) -> None:
        self.service = service
        self.log_path = log_path
        self._popen = popen
        self.pgid = popen.pid  # start_new_session: the leader's pid is the group id

    @classmethod
    def start(cls, service: Service, workdir: Path, env: Mapping[str, str]) -> ServiceProcess:
        """Launch ``service`` with ``workdir`` as its cwd (its scratch space) and log file home."""
        workdir.mkdir(parents=True, exist_ok=True)
        log_path = log_file_in(workdir, service.name)
        with open(log_path, "wb") as log_file:
            popen = _spawn(service, workdir, {**env, **service.env}, log_file)
        proc = cls(service, popen, log_path)
        cleanup.register(proc)
        log.info(
            "service starting",
            extra={"service": service.name, "pid": popen.pid, "argv": list(service.argv)},
        )
        return proc

    @property
    def pid(self) -> int:
        return self._popen.pid

    @property
    def name(self) -> str:
        return self.service.name

    def running(self) -> bool:
        return self._popen.poll() is None

    @property
    def returncode(self) -> int | None:
        """The exit status once it ended (negative: the signal that ended it)."""
        return self._popen.poll()

    def wait_ready(self, poll_s: float = 0.1) -> None:
        deadline = time.monotonic() + self.service.startup_timeout_s
        while not self.service.ready():
            if not self.running():
                raise ServiceStartError(
                    f"{self.name} exited with status {self._popen.returncode} before it was "
                    f"ready; last lines of {self.log_path}:\n{self.log_tail()}"
                )
            if time.monotonic() > deadline:
                raise ServiceStartError(
                    f"{self.name} did not answer within {self.service.startup_timeout_s:.0f} s; "
                    f"last lines of {self.log_path}:\n{self.log_tail()}"
                )
            time.sleep(poll_s)
        log.info("service ready", extra={"service": self.name, "pid": self.pid})

    def log_tail(self, lines: int = 30) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:]) or "(empty log)"

    def stop(self, grace_s: float = 10.0) -> None:
        """SIGTERM the whole group, SIGKILL what is left after ``grace_s``; idempotent."""
        if group_members(self.pgid):
            _signal_group(self.pgid, signal.SIGTERM)
            if not _wait_group_gone(self.pgid, grace_s):
                log.warning(
                    "service ignored SIGTERM, killing it",
                    extra={"service": self.name, "pgid": self.pgid},
                )
                _signal_group(self.pgid, signal.SIGKILL)
                _wait_group_gone(self.pgid, 5.0)
        self._popen.wait(timeout=5.0)  # reap the leader (no zombie, no ResourceWarning)
        cleanup.unregister(self)
        log.info("service stopped", extra={"service": self.name, "pid": self.pid})


def log_file_in(workdir: Path, name: str) -> Path:
    """Where a service started in ``workdir`` writes its stdout and stderr."""
    return workdir / f"{name}.log"


def _spawn(
    service: Service, workdir: Path, env: Mapping[str, str], log_file: IO[bytes]
) -> subprocess.Popen[bytes]:
    argv = (sys.executable, str(LIFELINE), str(_lifeline_fd()), "--", *service.argv)
    try:
        return subprocess.Popen(
            argv,
            pass_fds=(_lifeline_fd(),),
            cwd=workdir,
            env=dict(env),
            stdin=subprocess.DEVNULL,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    except OSError as exc:
        raise ServiceStartError(f"cannot start {service.name} ({service.argv[0]}): {exc}") from exc


def _lifeline_fd() -> int:
    """The read end of this process's lifeline pipe. The write end stays here, never inherited
    (os.pipe is close-on-exec), so it closes exactly when this process ends."""
    global _lifeline
    if _lifeline is None or _lifeline[0] != os.getpid():  # a forked child makes its own
        read_end, _write_end = os.pipe()
        _lifeline = (os.getpid(), read_end)
    return _lifeline[1]


def group_members(pgid: int) -> list[int]:
    """Live (non-zombie) processes in process group ``pgid``.

    Reads /proc, because orphaned grandchildren that exited stay zombies until init reaps them,
    and ``killpg(pgid, 0)`` would count those as alive.
    """
    proc = Path("/proc")
    if not proc.is_dir():  # not Linux: fall back to the signal probe
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return []
        return [pgid]
    members = []
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue  # exited while we looked
        # "pid (comm) state ppid pgrp ...": comm may contain spaces, so split after the ")".
        fields = stat[stat.rindex(")") + 2 :].split()
        if fields[0] != "Z" and int(fields[2]) == pgid:
            members.append(int(entry.name))
    return members


def _signal_group(pgid: int, sig: signal.Signals) -> None:
    try:
        os.killpg(pgid, sig)
    except ProcessLookupError:
        pass


def _wait_group_gone(pgid: int, timeout_s: float) -> bool:
    deadline = time.monotonic() + timeout_s
    while group_members(pgid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True
