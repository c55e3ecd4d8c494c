"""Last-resort cleanup: stop every service still running when the process exits.

Normal code stops its stack explicitly. This catches the rest: an exception that skipped the
``finally``, a test run that ends on SIGTERM or SIGHUP, an interpreter exiting with a stack still
up. SIGINT needs nothing here: it raises KeyboardInterrupt, which unwinds through the stack's
context manager and ends at atexit. (SIGKILL cannot be caught; nothing can clean up after it.)
"""

from __future__ import annotations

import atexit
import logging
import os
import signal
import threading
from types import FrameType
from typing import Protocol

log = logging.getLogger(__name__)


class Stoppable(Protocol):
    @property
    def name(self) -> str: ...

    def stop(self, grace_s: float = ...) -> None: ...


_live: list[Stoppable] = []
_lock = threading.RLock()  # re-entrant: a signal may arrive while the lock is held
_installed = False


def register(proc: Stoppable) -> None:
    with _lock:
        _install_once()
        _live.append(proc)


def unregister(proc: Stoppable) -> None:
    with _lock:
        if proc in _live:
            _live.remove(proc)


def stop_all() -> None:
    """Stop everything registered, newest first (workers before the emulators they use)."""
    with _lock:
        procs = list(reversed(_live))
    for proc in procs:
        try:
            proc.stop(grace_s=5.0)
        except Exception:
            log.exception("cleanup could not stop a service", extra={"service": proc.name})


def _install_once() -> None:
    global _installed
    if _installed:
        return
    _installed = True
    atexit.register(stop_all)
    if threading.current_thread() is not threading.main_thread():
        return  # signal handlers can only be set from the main thread
    for sig in (signal.SIGTERM, signal.SIGHUP):
        # Leave handlers someone else chose alone (e.g. `createstudio dev` handles SIGTERM).
        if signal.getsignal(sig) is signal.SIG_DFL:
            signal.signal(sig, _stop_then_die)


def _stop_then_die(signum: int, frame: FrameType | None) -> None:
    stop_all()
    # Die of the same signal, as the default disposition would have, so the exit status says so.
    signal.signal(signum, signal.SIG_DFL)
    os.kill(os.getpid(), signum)
