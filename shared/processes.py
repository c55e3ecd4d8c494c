"""Starting the tools a task runs (FFmpeg), under the worker's memory ceiling, stoppable at once.

A worker calls ``limit_children(mb)`` once (settings: ``CS_TASK_MEMORY_MB``); from then on every
child started through ``popen`` or ``run`` gets that ceiling as its RLIMIT_DATA, so a filter
graph that runs away fails its own render with an allocation error instead of taking the machine.
RLIMIT_DATA, not RLIMIT_AS: it counts what a process writes (heap, private mappings, thread
stacks) and not the address space a CUDA context reserves, so NVENC encodes still start.

The limit is set with prlimit(2) right after the child is started rather than in a preexec_fn,
which is unsafe in a process with threads (the worker has several). The child has only loaded
its libraries by then; every allocation that matters comes after.
"""

from __future__ import annotations

import os
import resource
import subprocess
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import IO, Any

from shared.errors import Cancelled

POLL_S = 0.05  # how often ``run`` looks at its cancel check
KILL_WAIT_S = 5.0

_ceiling_bytes: int | None = None


def limit_children(mb: int | None) -> None:
    """From now on, children started here may hold at most ``mb`` MB (None or 0: no ceiling)."""
    global _ceiling_bytes
    _ceiling_bytes = mb * 1024 * 1024 if mb else None


def _limit(proc: subprocess.Popen[Any]) -> None:
    if _ceiling_bytes is None:
        return
    try:
        resource.prlimit(proc.pid, resource.RLIMIT_DATA, (_ceiling_bytes, _ceiling_bytes))
    except ProcessLookupError:
        pass  # it has already exited: nothing left to limit


def popen(argv: Sequence[str], **kwargs: Any) -> subprocess.Popen[Any]:
    """``subprocess.Popen`` under the ceiling."""
    proc: subprocess.Popen[Any] = subprocess.Popen(argv, **kwargs)
    _limit(proc)
    return proc


def run(
    argv: Sequence[str],
    *,
    timeout_s: float,
    cancelled: Callable[[], bool] = lambda: False,
    input_bytes: bytes | memoryview | None = None,
    text: bool = False,
) -> subprocess.CompletedProcess[Any]:
    """``subprocess.run(argv, capture_output=True)`` under the ceiling, killed within
    ``POLL_S`` of ``cancelled()`` turning true.

    Raises:
        Cancelled: ``cancelled()`` turned true; the child is gone.
        subprocess.TimeoutExpired: it ran longer than ``timeout_s``; the child is gone.
    """
    stdin = subprocess.PIPE if input_bytes is not None else subprocess.DEVNULL
    started = time.monotonic()
    out: list[bytes] = []
    err: list[bytes] = []
    # Threads, not communicate(): a communicate() that timed out cannot go on writing stdin.
    with popen(argv, stdin=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as proc:
        pipes = [_thread(_read, proc.stdout, out), _thread(_read, proc.stderr, err)]
        if input_bytes is not None:
            pipes.append(_thread(_write, proc.stdin, input_bytes))
        try:
            while True:
                try:
                    proc.wait(timeout=POLL_S)
                    break
                except subprocess.TimeoutExpired:
                    if cancelled():
                        raise Cancelled(f"{Path(argv[0]).name}: cancelled") from None
                    if time.monotonic() - started > timeout_s:
                        raise subprocess.TimeoutExpired(list(argv), timeout_s) from None
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait(timeout=KILL_WAIT_S)
            for pipe in pipes:
                pipe.join(timeout=KILL_WAIT_S)
    stdout, stderr = b"".join(out), b"".join(err)
    if text:
        return subprocess.CompletedProcess(
            list(argv), proc.returncode, stdout.decode(errors="replace"),
            stderr.decode(errors="replace"),
        )  # fmt: skip
    return subprocess.CompletedProcess(list(argv), proc.returncode, stdout, stderr)


def _thread(target: Callable[..., None], *args: Any) -> threading.Thread:
    thread = threading.Thread(target=target, args=args, daemon=True)
    thread.start()
    return thread


def _read(stream: IO[bytes], into: list[bytes]) -> None:
    while chunk := os.read(stream.fileno(), 1 << 16):
        into.append(chunk)


def _write(stream: IO[bytes], data: bytes | memoryview) -> None:
    try:
        stream.write(data)
        stream.close()
    except (BrokenPipeError, ValueError):
        pass  # the child stopped reading (it failed, or was killed): its exit status says why
