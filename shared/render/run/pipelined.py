"""Run a ``PipelinedPlan``: producer FFmpeg processes draw the picture chunk by chunk as raw
yuv420p frames, spliced in order into the stdin of one encoder FFmpeg process.

Only the producers of one chunk (and the next, started early so that its photos are decoded
before the encoder needs them) are alive at a time, so memory does not grow with the number of
photos, and the single-threaded filter graph runs beside the encoder's threads. The frames move
from pipe to pipe inside the kernel (``os.splice``), not through Python (on Linux).

Like ``run_plan``: progress from the encoder's ``-progress``, cancellation within a second that
kills every child, a hidden partial output renamed into place only when it checks out, and
RenderFailed with the stderr tail of whichever process failed. No deadlock when a process dies:
a dead producer ends its pipe (the feeder sees the end), a dead encoder breaks its pipe (the
feeder's splice fails), and the polling thread kills the rest.
"""

from __future__ import annotations

import collections
import contextlib
import io
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import imageio_ffmpeg
import numpy as np

from shared import processes
from shared.errors import Cancelled, RenderFailed
from shared.render.draw.frame_drawer import draw_chunk
from shared.render.draw.frame_plan import DrawnChunk
from shared.render.graph.compiler import PipelinedPlan
from shared.render.graph.plan import RenderPlan
from shared.render.run.runner import (
    POLL_INTERVAL_S,
    STDERR_TAIL_LINES,
    CancelCheck,
    ProgressCallback,
    ProgressTracker,
    RunResult,
    accept_output,
    check_text_file_name,
    filter_errors,
    finished,
    is_cancelled,
    partial_path,
    pump,
    stop_process,
)
from shared.render.text.text_sprites import SpriteBook

logger = logging.getLogger(__name__)

FrameTap = Callable[[int, np.ndarray], None]

LOOKAHEAD = 1  # producers started ahead of the one streaming: hides each chunk's start-up
PIPE_BYTES = 1 << 20  # Linux's default cap for an unprivileged pipe (F_SETPIPE_SZ)
SPLICE_BYTES = 1 << 20
JOIN_TIMEOUT_S = 5.0
_GLOBAL_ARGS = ["-nostats", "-loglevel", "level+info"]


def _widen(fd: int) -> None:
    # A bigger pipe means fewer wake-ups per 3 MB frame; the default (64 KiB) still works.
    if sys.platform == "linux":
        import fcntl

        with contextlib.suppress(OSError):
            fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, PIPE_BYTES)


def _move(source: int, sink: int) -> int:
    """Up to SPLICE_BYTES from pipe ``source`` to pipe ``sink``; 0 at the end of ``source``.
    In the kernel where it can (Linux), else through a buffer (a GPU box on another system)."""
    if hasattr(os, "splice"):
        return os.splice(source, sink, SPLICE_BYTES)
    data = os.read(source, SPLICE_BYTES)
    view = memoryview(data)
    while view:
        view = view[os.write(sink, view) :]
    return len(data)


@dataclass
class _Producer:
    number: int  # 1-based, for messages
    first_frame: int
    plan: RenderPlan
    proc: subprocess.Popen[bytes]
    tail: collections.deque[str] = field(
        default_factory=lambda: collections.deque(maxlen=STDERR_TAIL_LINES)
    )
    errors: list[str] = field(default_factory=list)
    reader: threading.Thread | None = None
    stderr: io.TextIOWrapper | None = None

    def on_stderr(self, line: str) -> None:
        self.tail.append(line.rstrip())
        self.errors.extend(filter_errors([line]))

    def label(self, of: int) -> str:
        last = self.first_frame + self.plan.frame_count - 1
        return f"chunk {self.number}/{of} (frames {self.first_frame}-{last})"


class _EncoderGone(Exception):
    """The encoder stopped reading its stdin: its own exit status tells why."""


class _Feeder:
    """On its own thread: starts the producers in order (``LOOKAHEAD`` ahead) and splices each
    one's frames into the encoder's stdin, then closes it. Records the first failure."""

    def __init__(
        self,
        plan: PipelinedPlan,
        ffmpeg: str,
        cwd: Path,
        encoder_stdin: int,
        tap: FrameTap | None = None,
    ) -> None:
        self._plan = plan
        self._tap = tap
        self._ffmpeg = ffmpeg
        self._cwd = cwd
        self._sink = encoder_stdin
        self._lock = threading.Lock()
        self._stopped = False
        self._alive: list[_Producer] = []
        self.failure: RenderFailed | None = None
        self.encoder_gone = False
        self.thread = threading.Thread(target=self._run, name="render-feeder", daemon=True)

    def stop(self) -> None:
        """Kill every producer now and start no more (any thread)."""
        with self._lock:
            self._stopped = True
            for producer in self._alive:
                if producer.proc.poll() is None:
                    producer.proc.kill()

    def _start(self, number: int, first_frame: int, plan: RenderPlan) -> _Producer | None:
        argv = plan.argv(self._ffmpeg, "pipe:1")
        argv[1:1] = _GLOBAL_ARGS
        with self._lock:
            if self._stopped:
                return None
            proc = processes.popen(
                argv, cwd=self._cwd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            )  # fmt: skip
            producer = _Producer(number, first_frame, plan, proc)
            self._alive.append(producer)
        assert proc.stdout is not None and proc.stderr is not None
        _widen(proc.stdout.fileno())
        producer.stderr = io.TextIOWrapper(proc.stderr, encoding="utf-8", errors="replace")
        producer.reader = threading.Thread(
            target=pump, args=(producer.stderr, producer.on_stderr), daemon=True
        )
        producer.reader.start()
        return producer

    def _stream(self, producer: _Producer) -> int:
        """Splice the producer's stdout into the encoder's stdin until its end: bytes moved."""
        assert producer.proc.stdout is not None
        source = producer.proc.stdout.fileno()
        moved = 0
        try:
            while chunk := _move(source, self._sink):
                moved += chunk
        except BrokenPipeError as exc:
            raise _EncoderGone from exc
        return moved

    def _finish(self, producer: _Producer, moved: int) -> None:
        rc = producer.proc.wait()
        if producer.reader is not None:
            producer.reader.join(timeout=JOIN_TIMEOUT_S)
        assert producer.proc.stdout is not None
        producer.proc.stdout.close()
        tail, label = "\n".join(producer.tail), producer.label(len(self._plan.chunks))
        if rc != 0:
            raise RenderFailed(f"{label}: FFmpeg exited with code {rc}", tail, rc)
        if producer.errors:
            raise RenderFailed(
                f"{label}: FFmpeg reported errors in the filter graph", "\n".join(producer.errors)
            )
        expected = producer.plan.frame_count * self._plan.frame_bytes
        if moved != expected:
            raise RenderFailed(
                f"{label}: produced {moved / self._plan.frame_bytes:.2f} frames, "
                f"expected {producer.plan.frame_count}",
                tail,
            )

    def _stopped_now(self) -> bool:
        return self._stopped

    def _draw(self, number: int, chunk: DrawnChunk, sprites: SpriteBook) -> None:
        label = (
            f"chunk {number}/{len(self._plan.chunks)} "
            f"(frames {chunk.first}-{chunk.last - 1}, drawn in process)"
        )
        try:
            written = draw_chunk(
                chunk, self._sink, sprites=sprites, stopped=self._stopped_now, tap=self._tap
            )
        except BrokenPipeError as exc:
            raise _EncoderGone from exc
        except Cancelled:
            raise
        except RenderFailed as exc:
            raise RenderFailed(f"{label}: {exc.message}", exc.stderr_tail, exc.returncode) from exc
        except Exception as exc:  # a picture we could not draw: the render fails, named
            raise RenderFailed(f"{label}: {exc}") from exc
        if written != chunk.frame_count * self._plan.frame_bytes:
            raise RenderFailed(f"{label}: drew {written} bytes for {chunk.frame_count} frames")

    def _run(self) -> None:
        chunks = self._plan.chunks
        firsts = [0]
        for chunk in chunks:
            firsts.append(firsts[-1] + chunk.frame_count)
        producers: dict[int, _Producer] = {}
        try:
            drawn = [c for c in chunks if isinstance(c, DrawnChunk)]
            texts = {t.file_name: t for c in drawn for t in c.texts}
            size = drawn[0].size if drawn else (0, 0)
            sprites = SpriteBook(list(texts.values()), size, self._cwd, self._ffmpeg)
            for i, chunk in enumerate(chunks):
                # FFmpeg producers start LOOKAHEAD chunks early: their photos are decoded
                # before the encoder needs them.
                for ahead in range(i, min(i + LOOKAHEAD + 1, len(chunks))):
                    plan = chunks[ahead]
                    if isinstance(plan, RenderPlan) and ahead not in producers:
                        producer = self._start(ahead + 1, firsts[ahead], plan)
                        if producer is None:
                            return  # stopped
                        producers[ahead] = producer
                if isinstance(chunk, DrawnChunk):
                    self._draw(i + 1, chunk, sprites)
                else:
                    producer = producers[i]
                    self._finish(producer, self._stream(producer))
        except _EncoderGone:
            self.encoder_gone = True
        except Cancelled:
            pass  # stopped by run_pipeline, which reports why
        except RenderFailed as exc:
            if not self._stopped:  # else it is a producer we killed: not the cause
                self.failure = exc
        finally:
            os.close(self._sink)  # the encoder sees the end of its input
            self.stop()
            for producer in self._alive:
                producer.proc.wait()
                if producer.reader is not None:
                    producer.reader.join(timeout=JOIN_TIMEOUT_S)
                for stream in (producer.proc.stdout, producer.stderr):
                    if stream is not None:
                        with contextlib.suppress(OSError):
                            stream.close()


def _write_text_files(plans: tuple[RenderPlan | DrawnChunk, ...], folder: Path) -> None:
    files: dict[str, str] = {}
    for plan in plans:
        for name, content in plan.text_files.items():
            check_text_file_name(name)
            if files.setdefault(name, content) != content:
                raise ValueError(f"text file {name!r} differs between chunks")
    for name, content in files.items():
        (folder / name).write_text(content, encoding="utf-8")


def write_frames(
    plan: PipelinedPlan, sink: int, *, work_dir: Path | None = None, ffmpeg: str | None = None
) -> None:
    """Every chunk's raw frames, in order, into ``sink`` (a file or pipe), with no encoder: what
    the encoder would read. Closes ``sink``. Raises RenderFailed as ``run_pipeline`` does."""
    scratch = Path(tempfile.mkdtemp(prefix="ffmpeg-", dir=work_dir))
    try:
        _write_text_files(plan.chunks, scratch)
        feeder = _Feeder(plan, ffmpeg or imageio_ffmpeg.get_ffmpeg_exe(), scratch, sink)
        feeder.thread.start()
        feeder.thread.join()
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    if feeder.failure is not None:
        raise feeder.failure
    if feeder.encoder_gone:
        raise RenderFailed("the frames' reader closed its end early")


def run_pipeline(
    plan: PipelinedPlan,
    output: Path,
    *,
    progress: ProgressCallback | None = None,
    step: str = "Rendering",
    cancel: CancelCheck | None = None,
    timeout_s: float | None = None,
    work_dir: Path | None = None,
    ffmpeg: str | None = None,
    tap: FrameTap | None = None,
) -> RunResult:
    """Render ``plan`` to ``output`` and check it, as ``run_plan`` does for one process.
    ``tap`` sees every frame drawn in process (see ``frame_drawer.draw_chunk``).

    Raises:
        Cancelled: ``cancel`` was set; every FFmpeg was stopped and no output is left.
        RenderFailed: a producer or the encoder failed, timed out, logged a filter error or
            delivered the wrong number of frames; carries that process's stderr tail.
    """
    if sum(c.frame_count for c in plan.chunks) != plan.encode.frame_count:
        raise ValueError("the chunks' frames do not add up to the encoder's")
    ffmpeg = ffmpeg or imageio_ffmpeg.get_ffmpeg_exe()
    output = output.resolve()
    output.parent.mkdir(parents=True, exist_ok=True)
    partial = partial_path(output)
    tracker = ProgressTracker(plan.encode, step, progress)
    tail: collections.deque[str] = collections.deque(maxlen=STDERR_TAIL_LINES)
    errors: list[str] = []
    started = time.monotonic()
    scratch = Path(tempfile.mkdtemp(prefix="ffmpeg-", dir=work_dir))
    try:
        _write_text_files(plan.chunks, scratch)
        argv = plan.encode.argv(ffmpeg, str(partial))
        argv[1:1] = ["-progress", "pipe:1", *_GLOBAL_ARGS]
        logger.info(
            "pipelined render start",
            extra={"step": step, "output": output.name, "chunks": len(plan.chunks)},
        )
        read_end, write_end = os.pipe()
        _widen(write_end)
        try:
            encoder = processes.popen(
                argv, cwd=scratch, stdin=read_end, stdout=subprocess.PIPE,
                stderr=subprocess.PIPE, text=True, encoding="utf-8", errors="replace",
            )  # fmt: skip
        except BaseException:
            os.close(write_end)
            raise
        finally:
            os.close(read_end)
        assert encoder.stdout is not None and encoder.stderr is not None
        feeder = _Feeder(plan, ffmpeg, scratch, write_end, tap)  # owns write_end from here

        def on_stderr(line: str) -> None:
            tail.append(line.rstrip())
            errors.extend(filter_errors([line]))

        readers = [
            threading.Thread(target=pump, args=(encoder.stdout, tracker.feed), daemon=True),
            threading.Thread(target=pump, args=(encoder.stderr, on_stderr), daemon=True),
        ]
        for thread in (*readers, feeder.thread):
            thread.start()
        try:
            while encoder.poll() is None:
                if is_cancelled(cancel):
                    raise Cancelled(f"{step}: cancelled")
                if feeder.failure is not None:
                    raise feeder.failure
                if timeout_s is not None and time.monotonic() - started > timeout_s:
                    raise RenderFailed(
                        f"{step}: FFmpeg did not finish within {timeout_s:g} s", "\n".join(tail)
                    )
                tracker.flush()
                time.sleep(POLL_INTERVAL_S)
        finally:
            feeder.stop()
            stop_process(encoder)
            feeder.thread.join(timeout=JOIN_TIMEOUT_S)
            for reader in readers:
                reader.join(timeout=JOIN_TIMEOUT_S)
            encoder.stdout.close()
            encoder.stderr.close()
        # A producer's failure explains a short or broken encode: report it first.
        if feeder.failure is not None:
            raise feeder.failure
        stderr_tail = "\n".join(tail)
        if encoder.returncode != 0 or feeder.encoder_gone:
            raise RenderFailed(
                f"{step}: the encoder (FFmpeg) exited with code {encoder.returncode}",
                stderr_tail,
                encoder.returncode,
            )
        if errors:
            raise RenderFailed(f"{step}: FFmpeg reported errors", "\n".join(errors))
        facts, duration_ms, frame_count = accept_output(
            plan.encode, partial, output, step, stderr_tail
        )
    finally:
        partial.unlink(missing_ok=True)
        shutil.rmtree(scratch, ignore_errors=True)
    tracker.flush(final=True)
    return finished(output, step, started, facts, duration_ms, frame_count)
