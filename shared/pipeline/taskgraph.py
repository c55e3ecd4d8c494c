"""A job's task graph (pure: no I/O, no clock; callers pass ``now``).

    script ──> voice ─┐
                      ├──> render   (voice when the job has a script, or a brief to write one
               music ─┘             from, and the timeline no voice file; music when it has none)

A timeline longer than ``FanOut.after_ms`` renders across workers instead of in one task:

    script ──> voice ─┬──────────> segment-000 ─┐
                      │   ...      segment-NNN ─┼──> render (the join)
               music ─┴──> mix ─────────────────┘

(the segments need the voice only when captions are drawn; the mix needs what was made).

Each task walks  waiting -> queued -> running -> done | failed,  and every (re)queue starts a new
attempt. Changes are fenced by attempt, so a duplicated or reordered TaskFinished / TaskFailed, or
a worker whose task was routed elsewhere meanwhile, changes nothing. The whole graph is one
document (``pipelines/{job_id}``), changed in a transaction by the adapter.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol

from pydantic import BaseModel, ConfigDict, Field

from shared.errors import Conflict, NotFound
from shared.jobs import EnginePreference, Progress
from shared.pipeline.made_tracks import MusicOptions, VoiceOptions
from shared.pipeline.messages import Route, TaskKind
from shared.render.run.segments import segment_count, segment_ranges
from shared.scripts.brief import ScriptBrief
from shared.timeline.model import Timeline

SCRIPT, VOICE, MUSIC, RENDER, MIX = "script", "voice", "music", "render", "mix"
# Share of the job's progress bar: the preparing tasks split the first part, the render the rest
# (split into the segments, weighted by frames, and the join).
PREPARE_SHARE = 10.0
JOIN_SHARE = 5.0
_PREPARING = frozenset({TaskKind.SCRIPT, TaskKind.VOICE, TaskKind.MUSIC, TaskKind.MIX})


@dataclass(frozen=True)
class FanOut:
    """When a render is split across workers, and into how long parts."""

    after_ms: int  # a timeline longer than this renders as segments
    segment_ms: int  # about this long each, cut at clip ends


def segment_name(index: int) -> str:
    return f"segment-{index:03d}"


class TaskState(StrEnum):
    WAITING = "waiting"  # its inputs are not ready, or it was handed back by a pause
    QUEUED = "queued"  # a TaskCommand for its current attempt is on a topic
    RUNNING = "running"  # a worker claimed the current attempt
    DONE = "done"
    FAILED = "failed"  # the current attempt failed; the orchestrator retries or fails the job


class Task(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    kind: TaskKind
    needs: tuple[str, ...] = ()
    state: TaskState = TaskState.WAITING
    attempt: int = Field(default=0, ge=0)
    route: Route | None = None
    worker_id: str | None = None
    gpu_strikes: int = Field(default=0, ge=0)  # GPU attempts that failed or never started
    result: dict[str, str] = Field(default_factory=dict)
    frames: tuple[int, int] | None = None  # a segment's output frames [first, end)
    error: str | None = None
    queued_at: datetime | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None


class Pipeline(BaseModel):
    """The document ``pipelines/{job_id}`` (backend only: no client reads it)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    job_id: str
    uid: str
    engine: EnginePreference = EnginePreference.AUTO
    script: str | None = None
    brief: ScriptBrief | None = None  # for the script task, when the job brings no script
    voice: VoiceOptions | None = None  # for the voice made from ``script``
    music: MusicOptions | None = None  # for the music made when the timeline has none
    tasks: tuple[Task, ...]
    live: bool = True  # False once the job ended: the sweeper stops looking at it
    announced: bool = False  # JobCreated reached the topic (else the sweeper republishes it)
    version: int = 0
    created_at: datetime
    updated_at: datetime

    def task(self, name: str) -> Task:
        for task in self.tasks:
            if task.name == name:
                return task
        raise NotFound(f"job {self.job_id} has no task {name!r}")

    def ready(self) -> list[Task]:
        """Waiting tasks whose inputs are all done, in graph order."""
        done = {t.name for t in self.tasks if t.state is TaskState.DONE}
        return [t for t in self.tasks if t.state is TaskState.WAITING and set(t.needs) <= done]

    def in_state(self, state: TaskState) -> list[Task]:
        return [t for t in self.tasks if t.state is state]

    @property
    def finished(self) -> bool:
        return all(t.state is TaskState.DONE for t in self.tasks)

    @property
    def spoken_script(self) -> str | None:
        """What the voice reads: the job's own script, else the one its script task wrote."""
        if self.script is not None:
            return self.script
        written = next((t for t in self.tasks if t.name == SCRIPT), None)
        return written.result.get("script") if written else None


class PipelineStore(Protocol):
    def create(self, pipeline: Pipeline) -> Pipeline:
        """Store a new graph; an existing one for the job is kept and returned (idempotent)."""
        ...

    def get(self, job_id: str) -> Pipeline: ...

    def change(self, job_id: str, change: Callable[[Pipeline], Pipeline]) -> Pipeline:
        """Apply ``change`` atomically (re-run on contention); NotFound if absent."""
        ...

    def live(self) -> list[Pipeline]:
        """Graphs of jobs that have not ended (the sweeper's work list)."""
        ...

    def delete(self, job_id: str) -> None:
        """Remove the job's graph (absent already: no error)."""
        ...


def plan(
    job_id: str,
    uid: str,
    timeline: Timeline,
    now: datetime,
    *,
    engine: EnginePreference = EnginePreference.AUTO,
    script: str | None = None,
    brief: ScriptBrief | None = None,
    voice: VoiceOptions | None = None,
    music: MusicOptions | None = None,
    fanout: FanOut | None = None,
) -> Pipeline:
    """The graph a timeline needs: what the timeline lacks is made first, then the render (one
    task, or split across workers when ``fanout`` says the timeline is long).

    A ``brief`` counts only without a ``script`` (the person's own words win) and without a
    voice file on the timeline (nothing would read the script)."""
    tasks: list[Task] = []
    has_script = bool(script and script.strip())
    if timeline.voice is None and (has_script or brief is not None):
        if not has_script:
            tasks.append(Task(name=SCRIPT, kind=TaskKind.SCRIPT))
        needs = () if has_script else (SCRIPT,)
        tasks.append(Task(name=VOICE, kind=TaskKind.VOICE, needs=needs))
    if timeline.music is None:
        tasks.append(Task(name=MUSIC, kind=TaskKind.MUSIC))
    ranges = (
        segment_ranges(timeline, segment_count(timeline, fanout.segment_ms))
        if fanout is not None and timeline.duration_ms > fanout.after_ms
        else []
    )
    if len(ranges) > 1:
        tasks += _fanned_out(timeline, tasks, ranges)
    else:
        tasks.append(Task(name=RENDER, kind=TaskKind.RENDER, needs=tuple(t.name for t in tasks)))
    return Pipeline(
        job_id=job_id, uid=uid, engine=engine, script=script,
        brief=brief if any(t.name == SCRIPT for t in tasks) else None, voice=voice, music=music,
        tasks=tuple(tasks), created_at=now, updated_at=now,
    )  # fmt: skip


def _fanned_out(timeline: Timeline, made: list[Task], ranges: list[tuple[int, int]]) -> list[Task]:
    names = {t.name for t in made}
    captioned = bool(timeline.captions and timeline.captions.enabled)
    segment_needs = (VOICE,) if captioned and VOICE in names else ()
    segments = [
        Task(name=segment_name(i), kind=TaskKind.SEGMENT, needs=segment_needs, frames=r)
        for i, r in enumerate(ranges)
    ]
    mix = Task(name=MIX, kind=TaskKind.MIX, needs=tuple(n for n in (VOICE, MUSIC) if n in names))
    join = Task(name=RENDER, kind=TaskKind.JOIN, needs=(MIX, *(t.name for t in segments)))
    return [mix, *segments, join]


def segments(pipeline: Pipeline) -> list[Task]:
    """The segment tasks, in picture order (empty for a render in one task)."""
    return [t for t in pipeline.tasks if t.kind is TaskKind.SEGMENT]


def progress_span(pipeline: Pipeline, name: str) -> tuple[float, float]:
    """The part of the job's 0-100 progress bar that task ``name`` fills (for a segment: the
    span all segments fill together; ``segment_share`` says how much of it is its own)."""
    preparing = [t.name for t in pipeline.tasks if t.kind in _PREPARING]
    if name in preparing:
        share = PREPARE_SHARE / len(preparing)
        at = preparing.index(name) * share
        return (at, at + share)
    low = PREPARE_SHARE if preparing else 0.0
    if not segments(pipeline):
        return (low, 100.0)
    join_at = 100.0 - JOIN_SHARE
    return (join_at, 100.0) if pipeline.task(name).kind is TaskKind.JOIN else (low, join_at)


def progress_of(pipeline: Pipeline, name: str, percent: float, step: str) -> Progress:
    """The job's progress when task ``name`` is ``percent`` done: a point on the bar, or for a
    segment its points on top of the segments' start (segments run at once on many workers)."""
    low, high = progress_span(pipeline, name)
    share = segment_share(pipeline, name)
    if share is None:
        return Progress(progress=low + (high - low) * percent / 100, step=step)
    return Progress(progress=low, part=name, points=(high - low) * share * percent / 100, step=step)


def segment_share(pipeline: Pipeline, name: str) -> float | None:
    """A segment's share of the segments' span (its frames over all), None for other tasks."""
    task = pipeline.task(name)
    if task.frames is None:
        return None
    total = sum(t.frames[1] - t.frames[0] for t in segments(pipeline) if t.frames)
    return (task.frames[1] - task.frames[0]) / total


def _with_task(pipeline: Pipeline, task: Task, now: datetime, **changes: Any) -> Pipeline:
    updated = task.model_copy(update=changes)
    tasks = tuple(updated if t.name == task.name else t for t in pipeline.tasks)
    return pipeline.model_copy(
        update={"tasks": tasks, "updated_at": now, "version": pipeline.version + 1}
    )


def queue(
    pipeline: Pipeline, name: str, route: Route, now: datetime, *, gpu_strike: bool = False
) -> Pipeline:
    """Start a new attempt of ``name`` on ``route`` (from waiting, failed, queued or running).

    ``gpu_strike``: the attempt it replaces failed on a GPU box or never started there.
    """
    task = pipeline.task(name)
    if task.state is TaskState.DONE:
        return pipeline
    return _with_task(
        pipeline, task, now, state=TaskState.QUEUED, attempt=task.attempt + 1, route=route,
        worker_id=None, gpu_strikes=task.gpu_strikes + int(gpu_strike), queued_at=now,
        started_at=None, error=None,
    )  # fmt: skip


def resent(pipeline: Pipeline, name: str, attempt: int, now: datetime) -> Pipeline:
    """The command of queued ``attempt`` was published again: its queue deadline starts over
    (a long render's segments can wait in the queue for a free worker for a long time)."""
    task = _current(pipeline, name, attempt)
    if task is None or task.state is not TaskState.QUEUED:
        return pipeline
    return _with_task(pipeline, task, now, queued_at=now)


def _current(pipeline: Pipeline, name: str, attempt: int) -> Task | None:
    """The task if ``attempt`` is its current attempt, else None (a stale message)."""
    task = pipeline.task(name)
    return task if task.attempt == attempt else None


def claim(pipeline: Pipeline, name: str, attempt: int, worker_id: str, now: datetime) -> Pipeline:
    """``worker_id`` starts ``attempt``; Conflict if the attempt is stale or someone else has it.

    The same worker claiming again (it restarted and the message came back) is allowed.
    """
    task = _current(pipeline, name, attempt)
    if task is None:
        raise Conflict(f"task {name} of job {pipeline.job_id}: attempt {attempt} is stale")
    if task.state is TaskState.RUNNING and task.worker_id == worker_id:
        return pipeline
    if task.state is not TaskState.QUEUED:
        holder = f" by {task.worker_id}" if task.worker_id else ""
        raise Conflict(
            f"task {name} of job {pipeline.job_id} is {task.state.value}{holder}; "
            f"{worker_id} cannot start attempt {attempt}"
        )
    return _with_task(
        pipeline, task, now, state=TaskState.RUNNING, worker_id=worker_id, started_at=now
    )


def release(pipeline: Pipeline, name: str, attempt: int, to: TaskState, now: datetime) -> Pipeline:
    """Hand a task back: to QUEUED (shutdown: the redelivered message may claim it again) or to
    WAITING (pause: resume starts a new attempt). A stale attempt changes nothing."""
    if to not in (TaskState.QUEUED, TaskState.WAITING):
        raise ValueError(f"a task is handed back to queued or waiting, not {to.value}")
    task = _current(pipeline, name, attempt)
    if task is None or task.state not in (TaskState.QUEUED, TaskState.RUNNING):
        return pipeline
    if task.state is to:
        return pipeline
    # Handed back to the queue: the start deadline counts from now, not from the first queueing.
    queued_at = now if to is TaskState.QUEUED else task.queued_at
    return _with_task(
        pipeline, task, now, state=to, worker_id=None, started_at=None, queued_at=queued_at
    )


def finish(
    pipeline: Pipeline, name: str, attempt: int, result: dict[str, str], now: datetime
) -> Pipeline:
    """Record the result of ``attempt``; stale or duplicate reports change nothing."""
    task = _current(pipeline, name, attempt)
    if task is None or task.state in (TaskState.DONE, TaskState.WAITING):
        return pipeline
    return _with_task(
        pipeline, task, now, state=TaskState.DONE, result=dict(result), finished_at=now
    )


def fail(pipeline: Pipeline, name: str, attempt: int, error: str, now: datetime) -> Pipeline:
    """Record that ``attempt`` failed; stale or duplicate reports change nothing."""
    task = _current(pipeline, name, attempt)
    if task is None or task.state not in (TaskState.QUEUED, TaskState.RUNNING):
        return pipeline
    return _with_task(pipeline, task, now, state=TaskState.FAILED, error=error, finished_at=now)


def end(pipeline: Pipeline, now: datetime) -> Pipeline:
    """The job ended: nothing here needs watching any more."""
    if not pipeline.live:
        return pipeline
    return pipeline.model_copy(
        update={"live": False, "updated_at": now, "version": pipeline.version + 1}
    )


def announced(pipeline: Pipeline, now: datetime) -> Pipeline:
    if pipeline.announced:
        return pipeline
    return pipeline.model_copy(
        update={"announced": True, "updated_at": now, "version": pipeline.version + 1}
    )
