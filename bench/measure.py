"""Time a command from outside (copied from the team's bench/measure.py): wall time (monotonic
clock), CPU (user + sys of the child and every descendant it waited for, from wait4) and peak
RSS (the largest single process in that tree, ru_maxrss)."""

from __future__ import annotations

import os
import subprocess
import time
from dataclasses import dataclass


@dataclass(frozen=True)
class Usage:
    wall_s: float
    cpu_s: float
    peak_mib: float


def measure(cmd: list[str], log: str) -> Usage:
    """Run ``cmd`` once (its output appended to ``log``); raise if it fails."""
    with open(log, "ab") as out:
        t0 = time.monotonic()
        p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out, stderr=out)
        _, status, ru = os.wait4(p.pid, 0)
        wall = time.monotonic() - t0
    rc = os.waitstatus_to_exitcode(status)
    if rc:
        raise SystemExit(f"command failed (exit {rc}), see {log}: {' '.join(cmd)[:300]}")
    return Usage(wall, ru.ru_utime + ru.ru_stime, ru.ru_maxrss / 1024)
