"""Run one service's command and take its whole process group down when the stack's process dies.

    python lifeline.py FD -- COMMAND [ARG ...]

FD is the read end of a pipe whose write end only the stack's process holds. However that process
ends (SIGKILL included: nothing of its own runs then), the kernel closes the write end, the read
here sees end-of-file, and the group (this process, the command, the Java emulator a launcher
left behind) is sent SIGTERM, then SIGKILL after a grace period. Otherwise it waits for the
command and exits with its status. A file run by path, importing nothing of the project: it
starts in milliseconds and holds no memory worth counting.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time

GRACE_S = 5.0


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def _watch(fd: int, child: subprocess.Popen[bytes]) -> None:
    while os.read(fd, 1):  # nothing is ever written: this returns only at end-of-file
        pass
    if child.poll() is not None:
        return  # the command ended first: nothing to stop
    pgid = os.getpgrp()
    os.killpg(pgid, signal.SIGTERM)  # our own handler ignores it; the command's does not
    deadline = time.monotonic() + GRACE_S
    while child.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    if _group_alive(pgid):
        os.killpg(pgid, signal.SIGKILL)  # this process too


def main(argv: list[str]) -> int:
    if len(argv) < 3 or argv[1] != "--":
        print("usage: lifeline.py FD -- COMMAND [ARG ...]", file=sys.stderr)
        return 2
    fd = int(argv[0])
    # A Python handler, not SIG_IGN: exec resets it, so the command still dies of SIGTERM.
    signal.signal(signal.SIGTERM, lambda signum, frame: None)
    child = subprocess.Popen(argv[2:], close_fds=True)

    def forward(signum: int, frame: object) -> None:
        # A signal sent to this pid (an operator's kill, a test) is meant for the command; one
        # sent to the whole group reaches the command twice, which its handlers take in stride.
        if child.poll() is None:
            child.send_signal(signum)

    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, forward)
    threading.Thread(target=_watch, args=(fd, child), daemon=True).start()
    status = child.wait()
    if status < 0:  # die of the command's signal, so the stack sees what the command saw
        if -status != signal.SIGKILL:  # SIGKILL has no handler to reset (setting one raises)
            signal.signal(-status, signal.SIG_DFL)
        os.kill(os.getpid(), -status)
    return status


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
