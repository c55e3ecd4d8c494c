"""The sweeper's use case (run every minute by Cloud Scheduler; locally in a loop).

For every job still in flight:
- ended job -> stop tracking its graph;
- JobCreated never published (the submit crashed between the write and the publish) -> resend;
- a task running on a worker whose heartbeat went stale (kill -9, power cut, network) -> a new
  attempt, routed again (a GPU box that failed a task is not chosen for it again), with a warning;
- a GPU task that no box started within the start deadline -> routed again, with a warning (a
  segment of a long render without one: its moving to the cloud is the fleet sharing the load);
- a cloud task queued longer than the queue deadline -> its command is published again.
The stale worker's late reports are dropped by the attempt fence.

And every GPU box that went quiet without stopping gets a warning line (the per-box alert).

And for every AI still or clip being made on a GPU box (shared/imagery/attempts.py): the box
that took it went silent, or no box took it within the start deadline -> a new attempt in the
cloud, with why on the item.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from shared.errors import Conflict, NotFound
from shared.imagery.attempts import moved_to_cloud, why_move
from shared.jobs import JobStatus, Warn
from shared.pipeline import taskgraph as tg
from shared.pipeline.heartbeat import Heartbeat, is_fresh, silent_boxes
from shared.pipeline.media_item import MediaItem
from shared.pipeline.messages import GenerateMedia, JobCreated, Route, TaskKind
from shared.pipeline.orchestration import decide, publish_commands, requeue
from shared.pipeline.ports import PipelineServices
from shared.pipeline.routing import Decision
from shared.topology import JOBS, TASKS_CLOUD

log = logging.getLogger(__name__)


@dataclass
class SweepReport:
    rerouted: list[str] = field(default_factory=list)  # "job/task" or "media/id": a new attempt
    republished: list[str] = field(default_factory=list)  # "job/task" or "job" (JobCreated)
    ended: list[str] = field(default_factory=list)
    silent: list[str] = field(default_factory=list)  # GPU boxes gone quiet (one log line each)


def sweep(ports: PipelineServices) -> SweepReport:
    report = SweepReport()
    beats = {beat.worker_id: beat for beat in ports.workers.all()}
    server_now = ports.workers.now()
    for pipeline in ports.pipelines.live():
        try:
            _sweep_one(pipeline, ports, beats, server_now, report)
        except Exception:  # one broken job must not stop the sweep of the others
            log.exception("sweeping job failed", extra={"job_id": pipeline.job_id})
    for item in ports.media.pending_on(Route.GPU, ports.settings.topic_prefix):
        try:
            _sweep_generation(item, ports, beats, server_now, report)
        except Exception:
            log.exception("sweeping a generation failed", extra={"media_id": item.media_id})
    for beat, quiet in silent_boxes(beats.values(), server_now, ports.config.stale_after_s):
        # One line per box per sweep: terraform's gpu_box_silent metric counts them by box_id.
        log.warning(
            "gpu box silent",
            extra={"box_id": beat.worker_id, "host": beat.host, "silent_s": round(quiet)},
        )
        report.silent.append(beat.worker_id)
    if report.rerouted or report.republished or report.ended:
        log.info("sweep", extra=vars(report))
    return report


def _sweep_one(
    pipeline: tg.Pipeline,
    ports: PipelineServices,
    beats: dict[str, Heartbeat],
    server_now: datetime,
    report: SweepReport,
) -> None:
    now, config = ports.clock(), ports.config
    try:
        job = ports.jobs.get(pipeline.job_id)
    except NotFound:
        return
    if job.status.terminal:
        ports.pipelines.change(pipeline.job_id, lambda p: tg.end(p, now))
        report.ended.append(pipeline.job_id)
        return
    if not pipeline.announced and now - pipeline.created_at > timedelta(
        seconds=config.announce_deadline_s
    ):
        ports.bus.publish(ports.settings.topic(JOBS), JobCreated(job_id=pipeline.job_id))
        ports.pipelines.change(pipeline.job_id, lambda p: tg.announced(p, now))
        report.republished.append(pipeline.job_id)
    if job.status is JobStatus.PAUSED:
        return
    for task in pipeline.tasks:
        key = f"{pipeline.job_id}/{task.name}"
        why = _why_reroute(task, beats, now, server_now, ports)
        if why is not None:
            strike = task.route is Route.GPU
            decision = decide(pipeline, task, ports, why=why, strike=strike)
            # A segment no GPU box got to in time is load spilling over to the cloud's many
            # workers, not a fallback to tell the user of.
            spill = task.kind is TaskKind.SEGMENT and task.state is tg.TaskState.QUEUED
            if spill:
                decision = Decision(decision.route)
            if requeue(pipeline, task.name, decision, ports, now, strike=strike):
                if decision.warning is None and not spill:
                    ports.jobs.apply(pipeline.job_id, Warn(message=f"{task.name}: {why}"[:500]))
                report.rerouted.append(key)
        elif task.state is tg.TaskState.QUEUED and _waited(task, now) > config.queue_deadline_s:
            publish_commands(pipeline, ports, [task.name])
            ports.pipelines.change(pipeline.job_id, _resent(task, now))
            report.republished.append(key)


def _sweep_generation(
    item: MediaItem,
    ports: PipelineServices,
    beats: dict[str, Heartbeat],
    server_now: datetime,
    report: SweepReport,
) -> None:
    now, config = ports.clock(), ports.config
    why = why_move(
        item, beats, server_now, now,
        stale_after_s=config.stale_after_s, gpu_start_deadline_s=config.gpu_start_deadline_s,
    )  # fmt: skip
    if why is None:
        return

    def move(current: MediaItem) -> MediaItem:
        if why_move(current, beats, server_now, now, stale_after_s=config.stale_after_s,
                    gpu_start_deadline_s=config.gpu_start_deadline_s) is None:  # fmt: skip
            raise Conflict("settled meanwhile")
        return moved_to_cloud(current, why, now)

    try:
        moved = ports.media.change(item.media_id, move)
    except (Conflict, NotFound):
        return
    assert moved.placement is not None
    message = GenerateMedia(media_id=moved.media_id, uid=moved.uid,
                            attempt=moved.placement.attempt)  # fmt: skip
    ports.bus.publish(ports.settings.topic(TASKS_CLOUD), message)
    report.rerouted.append(f"media/{item.media_id}")


def _resent(task: tg.Task, now: datetime) -> Callable[[tg.Pipeline], tg.Pipeline]:
    return lambda p: tg.resent(p, task.name, task.attempt, now)


def _waited(task: tg.Task, now: datetime) -> float:
    return (now - task.queued_at).total_seconds() if task.queued_at else 0.0


def _why_reroute(
    task: tg.Task,
    beats: dict[str, Heartbeat],
    now: datetime,
    server_now: datetime,
    ports: PipelineServices,
) -> str | None:
    config = ports.config
    if task.state is tg.TaskState.RUNNING:
        if is_fresh(beats.get(task.worker_id or ""), server_now, config.stale_after_s):
            return None
        return f"worker {task.worker_id} stopped responding during attempt {task.attempt}"
    if (
        task.state is tg.TaskState.QUEUED
        and task.route is Route.GPU
        and _waited(task, now) > config.gpu_start_deadline_s
    ):
        return f"no GPU box started it within {config.gpu_start_deadline_s:g} s"
    return None
