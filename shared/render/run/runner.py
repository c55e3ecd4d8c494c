"""Run one ``RenderPlan`` with FFmpeg: progress, cancellation, a timeout, and a checked result.

``run_plan`` is the only place the render starts FFmpeg on a plan. It writes the plan's text files
into a private temporary directory and runs FFmpeg there, renders into a hidden temporary name in
the output's folder and renames it into place only when the result checks out, so a cancelled,
failed or timed-out render leaves nothing behind. "Exit code 0" is not success (reliability I8):
error-level lines from our filters, or an output whose probed duration or frame count is off,
fail the render too.
"""

from __future__ import annotations

import collections
import logging
import re
import shutil
import subprocess
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import imageio_ffmpeg

from shared import processes
from shared.errors import Cancelled, InvalidMedia, RenderFailed
from shared.render.graph.plan import RenderPlan
from shared.render.media.probe import StreamFacts, probe_streams

logger = logging.getLogger(__name__)

ProgressCallback = Callable[[float, str], None]
"""Called with (percent 0-100, step text), a few times a second at most, on the caller's thread."""
CancelCheck = threading.Event | Callable[[], bool]
"""Set (or returning True) when the render must stop."""

STDERR_TAIL_LINES = 40
PROGRESS_INTERVAL_S = 0.25
POLL_INTERVAL_S = 0.05
TERMINATE_GRACE_S = 0.5
# Audio-only outputs (the mix WAV) have no frames: allow one AAC/resampler block of slack.
AUDIO_TOLERANCE_MS = 25
# "[Parsed_drawtext_3 @ 0x55d...] [error] Stray % near ' off'" with -loglevel level+...
_LOG_LINE = re.compile(r"^\[(?P<ctx>[^\]@]+?) @ 0x[0-9a-f]+\](?: \[[^\]]*\])* \[(?P<level>\w+)\]")
_FAILURE_LEVELS = frozenset({"error", "fatal", "panic"})


@dataclass(frozen=True)
class RunResult:
    path: Path
    duration_ms: int
    frame_count: int  # 0 for an audio-only output
    size_bytes: int
    elapsed_s: float
    facts: StreamFacts


def finished(
    output: Path,
    step: str,
    started: float,
    facts: StreamFacts,
    duration_ms: int,
    frame_count: int,
) -> RunResult:
    """The result of an accepted render, logged once."""
    elapsed = time.monotonic() - started
    logger.info(
        "render step done",
        extra={"step": step, "output": output.name, "elapsed_s": round(elapsed, 2)},
    )
    return RunResult(
        path=output,
        duration_ms=duration_ms,
        frame_count=frame_count,
        size_bytes=output.stat().st_size,
        elapsed_s=elapsed,
        facts=facts,
    )


def is_cancelled(cancel: CancelCheck | None) -> bool:
    if cancel is None:
        return False
    if isinstance(cancel, threading.Event):
        return cancel.is_set()
    return bool(cancel())


def check_text_file_name(name: str) -> None:
    # The graph names these files relative to FFmpeg's cwd; a name must not reach elsewhere.
    if not name or "/" in name or "\\" in name or name.startswith(".") or ":" in name:
        raise ValueError(f"text file name {name!r} must be a bare file name")


class ProgressTracker:
    """Turns FFmpeg's ``-progress`` key=value stream into throttled percent callbacks.

    The reader thread only records the latest figure; ``flush`` (called by the thread that
    called ``run_plan``) delivers it, so callbacks never run on a helper thread.
    """

    def __init__(self, plan: RenderPlan, step: str, callback: ProgressCallback | None) -> None:
        self._plan = plan
        self._step = step
        self._callback = callback
        self._latest = 0.0
        self._last_emit = 0.0
        self._last_percent = -1.0

    def feed(self, line: str) -> None:
        key, _, value = line.strip().partition("=")
        percent = None
        # out_time_us is the output clock; frame= is a fallback when the clock is "N/A".
        if key in ("out_time_us", "out_time_ms") and value.lstrip("-").isdigit():
            if self._plan.duration_ms > 0:
                percent = int(value) / 1000 / self._plan.duration_ms * 100
        elif key == "frame" and value.isdigit() and self._plan.frame_count > 0:
            percent = int(value) / self._plan.frame_count * 100
        if percent is not None:
            self._latest = max(self._latest, min(99.0, percent))

    def flush(self, *, final: bool = False) -> None:
        percent = 100.0 if final else self._latest
        now = time.monotonic()
        if self._callback is None or percent <= self._last_percent:
            return
        if not final and now - self._last_emit < PROGRESS_INTERVAL_S:
            return
        self._last_emit, self._last_percent = now, percent
        self._callback(percent, self._step)


def pump(stream: IO[str], sink: Callable[[str], None]) -> None:
    for line in stream:
        sink(line)


def stop_process(proc: subprocess.Popen[Any]) -> None:
    """Terminate, then kill: FFmpeg is gone well within a second."""
    if proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=TERMINATE_GRACE_S)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=5)


def filter_errors(lines: Iterable[str]) -> list[str]:
    """Error-level log lines from our graph's filters (FFmpeg calls them ``Parsed_<name>_<n>``)."""
    found = []
    for line in lines:
        match = _LOG_LINE.match(line)
        if match and match["level"] in _FAILURE_LEVELS and match["ctx"].startswith("Parsed_"):
            found.append(line.rstrip())
    return found


def verify_output(plan: RenderPlan, facts: StreamFacts, tail: str) -> tuple[int, int]:
    """(duration_ms, frame_count) of the output, or RenderFailed if it is not what was planned."""
    if facts.video is not None:
        frame_ms = 1000 / facts.video.fps if facts.video.fps else 40.0
        duration = facts.video.duration_ms or facts.duration_ms
        frames = facts.video.frame_count
        if plan.frame_count and abs(frames - plan.frame_count) > 1:
            raise RenderFailed(
                f"output has {frames} frames, the plan asked for {plan.frame_count}", tail
            )
        if plan.duration_ms and abs(duration - plan.duration_ms) > frame_ms + 1:
            raise RenderFailed(
                f"output lasts {duration} ms, the plan asked for {plan.duration_ms} ms", tail
            )
        return duration, frames
    if facts.audio is None:
        raise RenderFailed("output has neither video nor audio", tail)
    duration = facts.audio.duration_ms or facts.duration_ms
    if plan.duration_ms and abs(duration - plan.duration_ms) > AUDIO_TOLERANCE_MS:
        raise RenderFailed(
            f"audio output lasts {duration} ms, the plan asked for {plan.duration_ms} ms", tail
        )
    return duration, 0


def partial_path(output: Path) -> Path:
    """A hidden, unique name beside ``output`` to render into (renamed into place when checked)."""
    return output.with_name(f".{output.stem}.partial-{uuid.uuid4().hex[:8]}{output.suffix}")


def accept_output(
    plan: RenderPlan, partial: Path, output: Path, step: str, stderr_tail: str
) -> tuple[StreamFacts, int, int]:
    """Probe ``partial``, check it against ``plan`` and rename it to ``output``:
    (facts, duration_ms, frame_count), or RenderFailed carrying ``stderr_tail``."""
    try:
        facts = probe_streams(partial, count_frames=True)
    except InvalidMedia as exc:
        raise RenderFailed(f"{step}: the output cannot be read back ({exc})", stderr_tail) from exc
    duration_ms, frame_count = verify_output(plan, facts, stderr_tail)
    partial.replace(output)
    return facts, duration_ms, frame_count


def run_plan(
    plan: RenderPlan,
    output: Path,
    *,
    progress: ProgressCallback | None = None,
    step: str = "Rendering",
    cancel: CancelCheck | None = None,
    timeout_s: float | None = None,
    work_dir: Path | None = None,
    ffmpeg: str | None = None,
) -> RunResult:
    """Render ``plan`` to ``output`` and check it.

    Raises:
        Cancelled: ``cancel`` was set; FFmpeg was stopped and no output is left.
        RenderFailed: FFmpeg failed, timed out, logged an error from one of our filters, or
            wrote something other than the plan asked for; carries the tail of FFmpeg's stderr.
    """
    ffmpeg = ffmpeg or imageio_ffmpeg.get_ffmpeg_exe()
    for name in plan.text_files:
        check_text_file_name(name)
    output = output.resolve()
    output.parent.mkdir(parents=True, exist_ok=True)
    partial = partial_path(output)
    tracker = ProgressTracker(plan, step, progress)
    tail: collections.deque[str] = collections.deque(maxlen=STDERR_TAIL_LINES)
    errors: list[str] = []
    started = time.monotonic()
    scratch = Path(tempfile.mkdtemp(prefix="ffmpeg-", dir=work_dir))
    try:
        for name, content in plan.text_files.items():
            (scratch / name).write_text(content, encoding="utf-8")
        argv = plan.argv(ffmpeg, str(partial))
        # -progress/-loglevel are global options: they may precede everything else.
        argv[1:1] = ["-progress", "pipe:1", "-nostats", "-loglevel", "level+info"]
        logger.info("ffmpeg start", extra={"step": step, "output": output.name})
        logger.debug("ffmpeg argv", extra={"argv": argv})

        def on_stderr(line: str) -> None:
            tail.append(line.rstrip())
            errors.extend(filter_errors([line]))

        proc = processes.popen(
            argv,
            cwd=scratch,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            errors="replace",
        )
        assert proc.stdout is not None and proc.stderr is not None
        readers = [
            threading.Thread(target=pump, args=(proc.stdout, tracker.feed)),
            threading.Thread(target=pump, args=(proc.stderr, on_stderr)),
        ]
        for reader in readers:
            reader.daemon = True
            reader.start()
        try:
            while proc.poll() is None:
                if is_cancelled(cancel):
                    stop_process(proc)
                    raise Cancelled(f"{step}: cancelled")
                if timeout_s is not None and time.monotonic() - started > timeout_s:
                    stop_process(proc)
                    raise RenderFailed(
                        f"{step}: FFmpeg did not finish within {timeout_s:g} s", "\n".join(tail)
                    )
                tracker.flush()
                time.sleep(POLL_INTERVAL_S)
        finally:
            stop_process(proc)
            for reader in readers:
                reader.join(timeout=5)
            proc.stdout.close()
            proc.stderr.close()
        stderr_tail = "\n".join(tail)
        if proc.returncode != 0:
            raise RenderFailed(
                f"{step}: FFmpeg exited with code {proc.returncode}", stderr_tail, proc.returncode
            )
        if errors:
            raise RenderFailed(
                f"{step}: FFmpeg reported errors in the filter graph", "\n".join(errors)
            )
        facts, duration_ms, frame_count = accept_output(plan, partial, output, step, stderr_tail)
    finally:
        partial.unlink(missing_ok=True)
        shutil.rmtree(scratch, ignore_errors=True)
    tracker.flush(final=True)
    return finished(output, step, started, facts, duration_ms, frame_count)
