"""Restart the local stack's pipeline services when they die, as Cloud Run and the GPU box's
systemd unit would: after a back-off that doubles with each crash in a row (capped), with a log
line for the exit and one for the restart.

A service that stayed up ``stable_s`` counts as healthy again: its next crash waits ``base_s``.
The emulators are not restarted (their data lives in memory: a fresh one would be empty), so one
of them dying still ends the stack. Jobs a dead worker held are routed again as they would be in
the cloud (the message is redelivered; the sweeper re-queues a task whose worker went silent).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass

from shared.localstack.service import ServiceProcess, ServiceStartError
from shared.localstack.stack import RunningStack

log = logging.getLogger(__name__)

BASE_S = 1.0
CAP_S = 30.0
STABLE_S = 60.0


@dataclass
class _Restart:
    crashes: int = 0
    started_at: float = 0.0
    due_at: float | None = None  # when the pending restart starts; None: none pending


class Supervisor:
    def __init__(
        self,
        stack: RunningStack,
        restartable: Collection[str],
        *,
        base_s: float = BASE_S,
        cap_s: float = CAP_S,
        stable_s: float = STABLE_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._stack = stack
        self._restartable = frozenset(restartable)
        self._base_s, self._cap_s, self._stable_s = base_s, cap_s, stable_s
        self._clock = clock
        self._state: dict[str, _Restart] = {}

    def back_off_s(self, crashes: int) -> float:
        """The wait before restarting a service after ``crashes`` crashes in a row (>= 1)."""
        return float(min(self._cap_s, self._base_s * 2 ** (crashes - 1)))

    def check(self) -> list[ServiceProcess]:
        """Restart what is due; return the dead services that are not restarted (the caller
        stops the stack for those)."""
        fatal = []
        now = self._clock()
        for index, proc in enumerate(list(self._stack.processes)):
            state = self._state.setdefault(proc.name, _Restart(started_at=now))
            if proc.running():
                continue
            if proc.name not in self._restartable:
                fatal.append(proc)
            elif state.due_at is None:
                self._schedule(proc, state, now)
            elif now >= state.due_at:
                self._stack.processes[index] = self._restart(proc, state, now)
        return fatal

    def _schedule(self, proc: ServiceProcess, state: _Restart, now: float) -> None:
        if now - state.started_at >= self._stable_s:
            state.crashes = 0  # it ran well for a while: this is a new failure, not a loop
        state.crashes += 1
        wait_s = self.back_off_s(state.crashes)
        state.due_at = now + wait_s
        log.warning(
            "service exited on its own; restarting it",
            extra={
                "service": proc.name, "pid": proc.pid, "status": proc.returncode,
                "crashes_in_a_row": state.crashes, "restart_in_s": wait_s,
                "log_tail": proc.log_tail(),
            },
        )  # fmt: skip
        proc.stop()  # reap it, and end what it left in its process group (an FFmpeg)

    def _restart(self, old: ServiceProcess, state: _Restart, now: float) -> ServiceProcess:
        stack = self._stack
        try:
            new = ServiceProcess.start(old.service, stack.workdir(old.name), stack.child_env())
        except ServiceStartError as exc:  # it could not even start: one more crash
            state.crashes += 1
            state.due_at = now + self.back_off_s(state.crashes)
            log.error("service did not restart", extra={"service": old.name, "error": str(exc)})
            return old
        state.started_at, state.due_at = now, None
        log.warning(
            "service restarted",
            extra={
                "service": old.name, "pid": new.pid, "previous_pid": old.pid,
                "crashes_in_a_row": state.crashes,
            },
        )  # fmt: skip
        return new
