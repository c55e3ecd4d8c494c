"""The worker core both workers share (gpu_subscriber, the cloud CPU renderer): one TaskCommand.

    load job + graph -> drop stale attempts and ended jobs (ack) -> hand back if paused (ack)
    -> claim (transaction) -> answer from a stored result, or run the executor while a watcher
    polls the job every <= 0.5 s -> publish TaskFinished / TaskFailed -> THEN ack

What the watcher may stop a task for, and what happens then:
    cancelled (or the job ended)   FFmpeg stopped, this attempt's outputs deleted, ack
    paused                         stopped, task handed back to "waiting", ack; resume re-queues it
    routed elsewhere (stale)       stopped, outputs deleted, ack (the new attempt owns the task)
    shutdown (SIGTERM)             after the grace period: task handed back to "queued", nack,
                                   so the redelivered message can start at once on another worker
    over the memory ceiling        stopped, outputs deleted, TaskFailed (no retry) in words, ack;
                                   work that does not stop within MemoryGuard's grace: TaskFailed,
                                   then the process exits (its supervisor starts a fresh one)
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Mapping
from enum import StrEnum
from pathlib import Path

from shared import processes
from shared.errors import AppError, Cancelled, Conflict, NotFound, RenderFailed, TransientError
from shared.jobs import JobStatus
from shared.logs import log_context
from shared.pipeline import taskgraph as tg
from shared.pipeline.executors import Executor, Report, TaskContext
from shared.pipeline.memory_guard import MemoryGuard, over_ceiling
from shared.pipeline.messages import (
    GenerateMedia,
    TaskCommand,
    TaskFailed,
    TaskFinished,
    TaskKind,
)
from shared.pipeline.ports import PipelineServices
from shared.pipeline.progress_writer import ProgressWriter
from shared.ports import Delivery
from shared.topology import JOBS

log = logging.getLogger(__name__)

EXIT_OVER_MEMORY = 75  # EX_TEMPFAIL: restart me


class Outcome(StrEnum):
    ACK = "ack"
    NACK = "nack"


class HandedBack(TransientError):
    """The worker is shutting down and handed the task back: nack it."""


class TaskWorker:
    def __init__(
        self,
        ports: PipelineServices,
        executors: Mapping[TaskKind, Executor],
        worker_id: str,
        *,
        where: str,
        stop: threading.Event | None = None,
        work_dir: Path | None = None,
        generate: Callable[[GenerateMedia], None] | None = None,
        exit_process: Callable[[int], object] = os._exit,
    ) -> None:
        self._ports = ports
        self._executors = executors
        self.worker_id = worker_id
        self._where = where  # for step texts: "on GPU box gpu-1", "in the cloud"
        self.stop = stop or threading.Event()
        self._work_dir = work_dir or ports.settings.work_dir
        self._generate = generate  # AI stills and clips for the library (shared/imagery)
        self.current: str | None = None  # "job/task#attempt" while busy (for the heartbeat)
        self._exit_process = exit_process  # when a task over the memory ceiling will not stop
        processes.limit_children(ports.settings.task_memory_mb)

    def handler(self, command: TaskCommand | GenerateMedia, delivery: Delivery) -> None:
        """The PullWorker / push handler: returning acks, HandedBack nacks."""
        if isinstance(command, GenerateMedia):
            self._generation(command)
            return
        if self.handle(command) is Outcome.NACK:
            raise HandedBack(f"task {command.task} of job {command.job_id} handed back")

    def _generation(self, command: GenerateMedia) -> None:
        if self.stop.is_set():
            raise HandedBack(f"generation of media {command.media_id} handed back")
        if self._generate is None:
            log.warning(
                "no AI generation on this worker: dropped", extra={"media_id": command.media_id}
            )
            return
        self.current = f"media/{command.media_id}"
        try:
            self._generate(command)
        finally:
            self.current = None

    def handle(self, command: TaskCommand) -> Outcome:
        with log_context(job_id=command.job_id, task_id=f"{command.task}#{command.attempt}"):
            return self._handle(command)

    def _handle(self, cmd: TaskCommand) -> Outcome:
        ports, now = self._ports, self._ports.clock()
        try:
            job = ports.jobs.get(cmd.job_id)
            pipeline = ports.pipelines.get(cmd.job_id)
            task = pipeline.task(cmd.task)
        except NotFound as exc:
            log.warning("task for an unknown job or task dropped: %s", exc.message)
            return Outcome.ACK
        if job.status.terminal or task.attempt != cmd.attempt or task.state is tg.TaskState.DONE:
            log.info("stale or finished task dropped", extra={"status": job.status.value})
            return Outcome.ACK
        if job.status is JobStatus.PAUSED:
            self._release(cmd, tg.TaskState.WAITING)
            return Outcome.ACK
        if self.stop.is_set():
            return Outcome.NACK  # shutting down: take nothing new
        try:
            pipeline = ports.pipelines.change(
                cmd.job_id, lambda p: tg.claim(p, cmd.task, cmd.attempt, self.worker_id, now)
            )
        except Conflict as exc:
            log.info("task not claimed: %s", exc.message)
            return Outcome.ACK
        self.current = f"{cmd.job_id}/{cmd.task}#{cmd.attempt}"
        try:
            return self._run(cmd, job.job_id, pipeline)
        finally:
            self.current = None

    def _run(self, cmd: TaskCommand, job_id: str, pipeline: tg.Pipeline) -> Outcome:
        executor = self._executors[cmd.task_kind]
        self._work_dir.mkdir(parents=True, exist_ok=True)
        scratch = Path(tempfile.mkdtemp(prefix=f"{cmd.task}-", dir=self._work_dir))
        cancel, why = threading.Event(), _Reason()
        writer = ProgressWriter(self._ports.jobs, job_id)
        ctx = TaskContext(
            job=self._ports.jobs.get(job_id), pipeline=pipeline, task=cmd.task,
            attempt=cmd.attempt, work_dir=scratch, progress=self._reporter(cmd, pipeline, writer),
            cancel=cancel,
        )  # fmt: skip
        watcher = threading.Thread(target=self._watch, args=(cmd, cancel, why), daemon=True)
        watcher.start()
        guard = MemoryGuard(
            self._ports.settings.task_memory_mb,
            exceeded=lambda used: why.set("memory", cancel),
            stuck=lambda used: self._stuck(cmd, used),
        )
        try:
            with guard, writer:
                result = executor.existing(ctx)
                if result is None:
                    ctx.progress(0.0, f"{cmd.task}: starting")
                    result = executor.run(ctx)
                else:
                    log.info("result already stored: answered without redoing the task")
        except Exception as exc:
            if guard.tripped is not None:
                return self._over_ceiling(cmd, executor, ctx, guard.tripped)
            if isinstance(exc, Cancelled) or why.value is not None:
                return self._stopped(cmd, executor, ctx, why.value or "cancelled")
            if isinstance(exc, RenderFailed):
                # The job shows what failed in words; FFmpeg's own words go to the log only.
                log.warning(
                    "render failed: %s", exc.message, extra={"stderr_tail": exc.stderr_tail}
                )
                hint = "try again, and if it fails again change the clip or text it names"
                return self._report_failure(cmd, f"{exc.message}; {hint}", exc.retryable)
            if isinstance(exc, AppError):
                return self._report_failure(cmd, exc.message, exc.retryable)
            log.exception("task crashed")  # a bug or an unexpected library error: retry
            return self._report_failure(cmd, "an unexpected error stopped it; try again", True)
        finally:
            cancel.set()
            watcher.join()
            shutil.rmtree(scratch, ignore_errors=True)
        if guard.tripped is not None:  # it finished, but over the ceiling: the same answer
            return self._over_ceiling(cmd, executor, ctx, guard.tripped)
        if why.value == "cancelled":  # cancelled after the work was done
            executor.discard(ctx)
            return Outcome.ACK
        finished = TaskFinished(
            job_id=job_id, task=cmd.task, attempt=cmd.attempt, worker_id=self.worker_id,
            result=result,
        )  # fmt: skip
        return self._publish(finished)

    def _stopped(self, cmd: TaskCommand, executor: Executor, ctx: TaskContext, why: str) -> Outcome:
        log.info("task stopped: %s", why)
        executor.discard(ctx)
        if why == "paused":
            self._release(cmd, tg.TaskState.WAITING)
        elif why == "shutdown":
            self._release(cmd, tg.TaskState.QUEUED)
            return Outcome.NACK
        return Outcome.ACK

    def _over_ceiling(
        self, cmd: TaskCommand, executor: Executor, ctx: TaskContext, used: int
    ) -> Outcome:
        executor.discard(ctx)
        error = over_ceiling(cmd.task, used, self._ports.settings.task_memory_mb)
        return self._report_failure(cmd, error, retryable=False)

    def _stuck(self, cmd: TaskCommand, used: int) -> None:
        """The task is over the ceiling and did not stop: fail it, then end this process."""
        log.error("task over the memory ceiling did not stop: exiting", extra={"used": used})
        error = over_ceiling(cmd.task, used, self._ports.settings.task_memory_mb)
        self._report_failure(cmd, error, retryable=False)
        self._exit_process(EXIT_OVER_MEMORY)

    def _report_failure(self, cmd: TaskCommand, error: str, retryable: bool) -> Outcome:
        log.warning("task failed: %s", error, extra={"retryable": retryable})
        failed = TaskFailed(
            job_id=cmd.job_id, task=cmd.task, attempt=cmd.attempt, worker_id=self.worker_id,
            error=error[-4000:], retryable=retryable,
        )  # fmt: skip
        return self._publish(failed)

    def _publish(self, message: TaskFinished | TaskFailed) -> Outcome:
        try:
            self._ports.bus.publish(self._ports.settings.topic(JOBS), message)
        except AppError as exc:  # not durable yet: the redelivery answers from the stored result
            log.warning("report not published, task handed back: %s", exc.message)
            return Outcome.NACK
        return Outcome.ACK

    def _release(self, cmd: TaskCommand, to: tg.TaskState) -> None:
        now = self._ports.clock()
        self._ports.pipelines.change(
            cmd.job_id, lambda p: tg.release(p, cmd.task, cmd.attempt, to, now)
        )

    def _reporter(self, cmd: TaskCommand, pipeline: tg.Pipeline, writer: ProgressWriter) -> Report:
        if tg.segment_share(pipeline, cmd.task) is not None:
            # A segment's progress is counted when it is done (by the orchestrator, the job's
            # one writer then): many segments writing one job document at once contend for it,
            # and a document takes about one sustained write a second.
            return lambda percent, step: None
        every = self._ports.config.progress_every_s
        last = [0.0]
        last_step = [""]

        def report(percent: float, step: str) -> None:
            now = time.monotonic()
            # Throttle the numbers, never a new step: a person following the job sees each one.
            if now - last[0] < every and percent < 100 and step == last_step[0]:
                return
            last[0], last_step[0] = now, step
            writer.put(tg.progress_of(pipeline, cmd.task, percent, f"{step} {self._where}"))

        return report

    def _watch(self, cmd: TaskCommand, cancel: threading.Event, why: _Reason) -> None:
        """Poll the job (and the graph) until the task ends; set ``cancel`` with a reason."""
        config = self._ports.config
        stop_seen: float | None = None
        polls = 0
        while not cancel.wait(config.watch_every_s):
            polls += 1
            if self.stop.is_set():
                stop_seen = stop_seen or time.monotonic()
                if time.monotonic() - stop_seen >= config.shutdown_grace_s:
                    why.set("shutdown", cancel)
                    return
            try:
                status = self._ports.jobs.get(cmd.job_id).status
                if status.terminal:
                    why.set("cancelled", cancel)
                elif status is JobStatus.PAUSED:
                    why.set("paused", cancel)
                elif polls % 4 == 0:
                    task = self._ports.pipelines.get(cmd.job_id).task(cmd.task)
                    if task.attempt != cmd.attempt or task.worker_id != self.worker_id:
                        why.set("stale", cancel)
            except AppError as exc:
                log.warning("could not check the job: %s", exc.message)


class _Reason:
    def __init__(self) -> None:
        self.value: str | None = None

    def set(self, value: str, cancel: threading.Event) -> None:
        self.value = self.value or value
        cancel.set()
