"""The orchestrator's step (``advance``): on JobCreated / TaskFinished / TaskFailed / JobControl,
move the task graph in a transaction, route and publish the tasks that are now ready, and finish
or fail the job. Safe to repeat and to reorder: every graph change is fenced by attempt, and a
TaskCommand sent twice is claimed once.

Routing (routing.py) uses the online set of workers (heartbeats, cached); a task whose GPU attempt
failed or never started gets a "strike" and runs in the cloud next; every fallback is a warning.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Collection
from datetime import datetime

from shared.errors import TransientError
from shared.jobs import RENDER_FOLDERS, Complete, Fail, Job, JobOutput, JobStatus, Start, Warn
from shared.pipeline import taskgraph as tg
from shared.pipeline.job_events import apply_and_announce
from shared.pipeline.messages import (
    JobControl,
    JobCreated,
    Route,
    TaskCommand,
    TaskFailed,
    TaskFinished,
)
from shared.pipeline.ports import PipelineServices
from shared.pipeline.routing import Decision, gpu_kinds, route_task
from shared.topology import TASKS_CLOUD, TASKS_GPU

log = logging.getLogger(__name__)

WARN_RETRY_S = 60.0  # how long a fallback's warning is retried against a contended job document


def warn(ports: PipelineServices, job_id: str, text: str) -> None:
    """Put a fallback's warning on the job, retrying contention: a worker killed mid-transaction
    can leave the job's document locked for seconds, and a fallback that happened must not go
    unsaid. Gives up (logged) only after WARN_RETRY_S."""
    delay, deadline = 0.25, time.monotonic() + WARN_RETRY_S
    while True:
        try:
            ports.jobs.apply(job_id, Warn(message=text[:500]))
            return
        except TransientError:
            if time.monotonic() > deadline:
                log.error("warning not recorded", extra={"job_id": job_id, "warning": text})
                return
            time.sleep(delay)
            delay = min(2 * delay, 4.0)


ORCHESTRATOR_ID = "orchestrator"
MAX_TASK_ATTEMPTS = 3
TASK_TOPICS = {Route.GPU: TASKS_GPU, Route.CLOUD: TASKS_CLOUD}
JobMessageT = JobCreated | TaskFinished | TaskFailed | JobControl


def advance(message: JobMessageT, ports: PipelineServices) -> Job:
    """The orchestrator's one step for ``message``; safe to repeat and to reorder."""
    now = ports.clock()
    job_id = message.job_id
    job = ports.jobs.get(job_id)
    if isinstance(message, TaskFinished):
        _record_finished(message, ports, now)
    elif isinstance(message, TaskFailed):
        job = _record_failed(message, job, ports, now)
    job = ports.jobs.get(job_id)
    pipeline = ports.pipelines.get(job_id)
    if job.status.terminal:
        ports.pipelines.change(job_id, lambda p: tg.end(p, now))
        return job
    if job.status is JobStatus.PAUSED:
        return job
    if pipeline.finished:
        return _complete(job, pipeline, ports, now)
    if job.status is JobStatus.PENDING:
        job = apply_and_announce(
            ports.jobs, ports.bus, ports.settings, job_id,
            Start(worker_id=ORCHESTRATOR_ID, step="Queued"),
        )  # fmt: skip
    _queue_ready(pipeline, ports, now)
    return job


def _record_finished(message: TaskFinished, ports: PipelineServices, now: datetime) -> None:
    before = ports.pipelines.get(message.job_id).task(message.task)
    after = ports.pipelines.change(
        message.job_id,
        lambda p: tg.finish(p, message.task, message.attempt, message.result, now),
    )
    task = after.task(message.task)
    if task.attempt != message.attempt:
        _discard_outputs(message, ports)
        return
    if before.state is tg.TaskState.DONE:
        return  # a duplicate: already counted
    for key, text in sorted(message.result.items()):
        if key.startswith("warning"):
            warn(ports, message.job_id, text)
    done = tg.progress_of(after, message.task, 100.0, _ready(after, task))
    try:
        ports.jobs.report(message.job_id, done)
    except TransientError as exc:
        # Best effort: with many segments reporting at once the job document is contended,
        # and a progress figure is not worth a redelivery; the next report moves the bar.
        log.warning("progress not written: %s", exc.message)


def _ready(pipeline: tg.Pipeline, task: tg.Task) -> str:
    parts = tg.segments(pipeline)
    if task in parts:
        return f"segment {parts.index(task) + 1} of {len(parts)} rendered"
    return f"{task.name} ready"


def _discard_outputs(message: TaskFinished, ports: PipelineServices) -> None:
    """A stale attempt finished after all (e.g. a partitioned GPU box): delete its outputs, so
    the job keeps exactly one. Only attempt-scoped objects (the render's, under
    ``RENDER_FOLDERS``) go; content-keyed intermediates are shared by every attempt and stay."""
    prefix = f"gs://{ports.renders.bucket}/"
    attempt_scoped = tuple(f"{folder}/{message.job_id}/" for folder in RENDER_FOLDERS.values())
    for uri in message.result.values():
        name = uri.removeprefix(prefix)
        if uri.startswith(prefix) and name.startswith(attempt_scoped):
            ports.renders.delete(name)
    log.info("stale attempt's outputs discarded", extra={"attempt": message.attempt})


def _record_failed(message: TaskFailed, job: Job, ports: PipelineServices, now: datetime) -> Job:
    task = ports.pipelines.get(message.job_id).task(message.task)
    if task.attempt != message.attempt or task.state in (tg.TaskState.DONE, tg.TaskState.WAITING):
        return job
    if job.status.terminal:  # cancelled meanwhile: nothing to retry
        ports.pipelines.change(
            message.job_id, lambda p: tg.fail(p, message.task, message.attempt, message.error, now)
        )
        return job
    if not message.retryable or task.attempt >= MAX_TASK_ATTEMPTS:
        ports.pipelines.change(
            message.job_id, lambda p: tg.fail(p, message.task, message.attempt, message.error, now)
        )
        tries = "" if not message.retryable else f" after {task.attempt} attempts"
        return apply_and_announce(
            ports.jobs, ports.bus, ports.settings, message.job_id,
            Fail(error=f"{message.task} failed{tries}: {message.error}"[:4000]),
        )  # fmt: skip
    failed = ports.pipelines.change(
        message.job_id, lambda p: tg.fail(p, message.task, message.attempt, message.error, now)
    )
    strike = task.route is Route.GPU
    decision = decide(failed, failed.task(message.task), ports, why=message.error, strike=strike)
    if decision.route is task.route and decision.warning is None:
        ports.jobs.apply(
            message.job_id, Warn(message=f"{message.task} failed, retrying: {message.error}"[:500])
        )
    requeue(failed, message.task, decision, ports, now, strike=strike)
    return job


def decide(
    pipeline: tg.Pipeline,
    task: tg.Task,
    ports: PipelineServices,
    why: str | None = None,
    *,
    strike: bool = False,
) -> Decision:
    """Where the next attempt of ``task`` runs; ``strike``: its last attempt failed on a GPU box
    or never started there (so no GPU box is chosen for it again)."""
    strikes = task.gpu_strikes + int(strike)
    return route_task(
        task.kind, pipeline.engine, gpu_kinds(ports.online.online()), strikes,
        (why or "")[:200] or None,
    )  # fmt: skip


def requeue(
    pipeline: tg.Pipeline,
    name: str,
    decision: Decision,
    ports: PipelineServices,
    now: datetime,
    *,
    strike: bool = False,
) -> bool:
    """Start a new attempt of ``name`` on the decided route, warn, and publish it.

    Fenced: only if the task is still where ``pipeline`` saw it (same attempt and state);
    returns whether it was re-queued.
    """
    seen = pipeline.task(name)

    def change(p: tg.Pipeline) -> tg.Pipeline:
        task = p.task(name)
        if (task.attempt, task.state) != (seen.attempt, seen.state):
            return p
        return tg.queue(p, name, decision.route, now, gpu_strike=strike)

    after = ports.pipelines.change(pipeline.job_id, change)
    if after.task(name).attempt != seen.attempt + 1:
        return False
    # The words before the work: a fast cloud attempt can finish the job while a contended
    # warning is still being retried, and a finished job must already say how it was made.
    # A publish lost after the warning is re-sent by the sweeper, so the warning stays true.
    if decision.warning:
        warn(ports, pipeline.job_id, decision.warning)
    publish_commands(after, ports, [name])
    return True


def _queue_ready(pipeline: tg.Pipeline, ports: PipelineServices, now: datetime) -> None:
    decisions = {t.name: decide(pipeline, t, ports) for t in pipeline.ready()}

    def queue_all(p: tg.Pipeline) -> tg.Pipeline:
        for task in p.ready():  # re-checked inside the transaction
            if task.name in decisions:
                p = tg.queue(p, task.name, decisions[task.name].route, now)
        return p

    after = ports.pipelines.change(pipeline.job_id, queue_all) if decisions else pipeline
    for name, decision in decisions.items():  # the words before the work, as in requeue
        if decision.warning and after.task(name).state is tg.TaskState.QUEUED:
            warn(ports, pipeline.job_id, decision.warning)
    publish_commands(after, ports, decisions)


def publish_commands(
    pipeline: tg.Pipeline, ports: PipelineServices, names: Collection[str]
) -> None:
    """A TaskCommand for each of the queued tasks ``names``. Re-sending one is harmless (workers
    claim by attempt); the sweeper re-sends one that stayed queued too long, which closes the gap
    when a publish failed after the graph was saved. Only the named ones: a long render queues
    its segments together, and re-sending every queued one at each step floods the workers."""
    for task in pipeline.in_state(tg.TaskState.QUEUED):
        if task.name not in names:
            continue
        assert task.route is not None  # queue() always sets it
        command = TaskCommand(
            job_id=pipeline.job_id, task=task.name, task_kind=task.kind, attempt=task.attempt,
            route=task.route,
        )  # fmt: skip
        ports.bus.publish(ports.settings.topic(TASK_TOPICS[task.route]), command)


def _complete(job: Job, pipeline: tg.Pipeline, ports: PipelineServices, now: datetime) -> Job:
    result = pipeline.task(tg.RENDER).result
    output = JobOutput(
        video_uri=result["video_uri"],
        poster_uri=result.get("poster_uri") or None,
        size_bytes=int(result["size_bytes"]),
        duration_ms=int(result["duration_ms"]),
        loudness_lufs=float(result["loudness_lufs"]) if result.get("loudness_lufs") else None,
    )
    done = apply_and_announce(
        ports.jobs, ports.bus, ports.settings, job.job_id, Complete(output=output)
    )
    ports.pipelines.change(job.job_id, lambda p: tg.end(p, now))
    return done
