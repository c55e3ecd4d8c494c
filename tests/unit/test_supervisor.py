"""The local stack's supervisor restarts a pipeline service that dies, with exponential back-off
(issue 13, item 2). Real processes under the real lifeline; no emulator needed."""

from __future__ import annotations

import logging
import os
import signal
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import psutil
import pytest

from shared.localstack.service import Service, ServiceProcess
from shared.localstack.stack import RunningStack
from shared.localstack.supervisor import Supervisor
from tests.pipeline_fakes import SETTINGS

SLEEPER = (sys.executable, "-c", "import time; time.sleep(120)")
CRASHER = (sys.executable, "-c", "raise SystemExit(3)")


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[RunningStack]:
    running = RunningStack(settings=SETTINGS, env={}, endpoints={}, data_dir=tmp_path / "stack")
    yield running
    running.stop()


def command_pid(proc: ServiceProcess) -> int:
    """The service's own process (its child under lifeline.py, once that started it)."""
    deadline = time.monotonic() + 10
    while not (children := psutil.Process(proc.pid).children()):
        assert time.monotonic() < deadline, f"{proc.name} never started its command"
        time.sleep(0.02)
    [child] = children
    return int(child.pid)


def until(what: str, check: Callable[[Supervisor], bool], supervisor: Supervisor, s: float) -> None:
    deadline = time.monotonic() + s
    while not check(supervisor):
        assert time.monotonic() < deadline, f"not within {s} s: {what}"
        time.sleep(0.05)


def restarts(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.getMessage() == "service restarted"]


def test_a_killed_worker_comes_back_after_the_back_off(
    stack: RunningStack, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="shared.localstack.supervisor")
    worker = stack.add(Service("worker", SLEEPER, ready=lambda: True))
    other = stack.add(Service("other", SLEEPER, ready=lambda: True))
    supervisor = Supervisor(stack, restartable={"worker"}, base_s=0.5)
    assert supervisor.check() == []
    first = command_pid(worker)
    os.kill(first, signal.SIGKILL)
    killed_at = time.monotonic()
    until("the worker restarted", lambda s: bool(s.check() or restarts(caplog)), supervisor, 10)
    waited = time.monotonic() - killed_at
    assert 0.5 <= waited < 3, waited
    [line] = restarts(caplog)
    again = stack.processes[0]
    assert again is not worker and again.running() and line.__dict__["pid"] == again.pid
    assert line.__dict__["previous_pid"] == worker.pid
    assert command_pid(again) != first
    [exited] = [r for r in caplog.records if r.getMessage().startswith("service exited")]
    assert exited.__dict__["status"] == -signal.SIGKILL and exited.__dict__["restart_in_s"] == 0.5
    assert stack.processes[1] is other and other.running()  # the others are left alone


def test_a_service_that_is_not_restartable_is_reported(stack: RunningStack) -> None:
    emulator = stack.add(Service("emulator", SLEEPER, ready=lambda: True))
    supervisor = Supervisor(stack, restartable={"worker"})
    os.kill(command_pid(emulator), signal.SIGKILL)
    until("the death seen", lambda s: not emulator.running(), supervisor, 10)
    assert supervisor.check() == [emulator]


def test_a_worker_that_keeps_crashing_backs_off_exponentially_up_to_a_cap(
    stack: RunningStack, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="shared.localstack.supervisor")
    stack.add(Service("worker", CRASHER, ready=lambda: True))
    supervisor = Supervisor(stack, restartable={"worker"}, base_s=0.1, cap_s=0.4)
    until("four restarts", lambda s: s.check() == [] and len(restarts(caplog)) >= 4, supervisor, 20)
    exits = [r for r in caplog.records if r.getMessage().startswith("service exited")]
    assert [r.__dict__["restart_in_s"] for r in exits[:4]] == [0.1, 0.2, 0.4, 0.4]
    assert [r.__dict__["crashes_in_a_row"] for r in exits[:4]] == [1, 2, 3, 4]
    assert all(r.__dict__["status"] == 3 for r in exits)
    assert supervisor.back_off_s(20) == 0.4


def test_a_service_that_ran_well_for_a_while_starts_its_back_off_again(
    stack: RunningStack, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="shared.localstack.supervisor")
    now = [0.0]
    worker = stack.add(Service("worker", SLEEPER, ready=lambda: True))
    supervisor = Supervisor(
        stack, restartable={"worker"}, base_s=1, cap_s=8, stable_s=60, clock=lambda: now[0]
    )
    supervisor.check()

    def crash_at(t: float) -> float:
        """Kill the worker at clock ``t``; the back-off the supervisor chose."""
        now[0] = t
        proc = stack.processes[0]
        os.kill(command_pid(proc), signal.SIGKILL)
        proc_gone = time.monotonic() + 10
        while proc.running():
            assert time.monotonic() < proc_gone
            time.sleep(0.02)
        supervisor.check()
        wait_s: float = [r for r in caplog.records if r.getMessage().startswith("service exited")][
            -1
        ].__dict__["restart_in_s"]
        now[0] += wait_s
        supervisor.check()  # restarted now
        assert stack.processes[0].running()
        return wait_s

    assert crash_at(1.0) == 1  # first crash
    assert crash_at(3.0) == 2  # soon after the restart: a loop, the wait doubles
    assert crash_at(200.0) == 1  # after a long good run: a new failure
    assert stack.processes[0] is not worker
