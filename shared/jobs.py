"""The job model and its state machine (pure: no I/O, no clock; callers pass ``now``).

    pending ──start──> processing ──complete──> done
       │                 │    ^
       │               pause  resume
       │                 v    │
       │                paused
       └──── fail (from any live state) ──> error
       └──── cancel (from any live state) ─> cancelled

Progress only moves forward; warnings accumulate (deduplicated, in order). A duplicate of the
event that produced the current state is a no-op, so an at-least-once delivery can be replayed;
a Start from another worker is not a duplicate but a lost race, and is refused.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from shared.errors import Conflict, InvalidRequest, InvalidTransition

MAX_WARNINGS = 50
# Where a job's delivered render lies in the renders bucket, by the timeline's quality: previews
# are kept for a while only (terraform's lifecycle rule), final renders until the job is deleted.
RENDER_FOLDERS = {"final": "renders", "preview": "previews"}


class JobStatus(StrEnum):
    PENDING = "pending"
    PROCESSING = "processing"
    PAUSED = "paused"
    DONE = "done"
    ERROR = "error"
    CANCELLED = "cancelled"

    @property
    def terminal(self) -> bool:
        return self in TERMINAL


TERMINAL = frozenset({JobStatus.DONE, JobStatus.ERROR, JobStatus.CANCELLED})
LIVE = frozenset(JobStatus) - TERMINAL


class EnginePreference(StrEnum):
    AUTO = "auto"
    LOCAL = "local"
    CLOUD = "cloud"


class JobOutput(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    video_uri: str
    poster_uri: str | None = None
    size_bytes: int = Field(ge=0)
    duration_ms: int = Field(ge=0)
    loudness_lufs: float | None = None


class Job(BaseModel):
    """The Firestore job document."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    job_id: str = Field(min_length=1, max_length=128)
    uid: str = Field(min_length=1, max_length=128)
    brand_name: str = Field(default="", max_length=200)
    status: JobStatus = JobStatus.PENDING
    step: str = ""
    progress: float = Field(default=0.0, ge=0.0, le=100.0)
    # Parts that run side by side (a long render's segments): each one's points of ``progress``.
    parts: dict[str, float] = Field(default_factory=dict)
    engine: EnginePreference = EnginePreference.AUTO
    output: JobOutput | None = None
    error: str | None = None
    warnings: tuple[str, ...] = ()
    comment: str | None = Field(default=None, max_length=2000)
    rating: int | None = Field(default=None, ge=1, le=5)
    worker_id: str | None = None
    attempt: int = Field(default=0, ge=0)
    version: int = Field(default=0, ge=0)
    created_at: datetime
    updated_at: datetime
    completed_at: datetime | None = None
    timeline: dict[str, Any] | None = None
    # sha256 of the creating request's canonical body: a reused idempotency key must match it.
    request_hash: str | None = None


class Start(BaseModel):
    model_config = ConfigDict(frozen=True)
    kind: Literal["start"] = "start"
    worker_id: str
    step: str = "Starting"


class Progress(BaseModel):
    model_config = ConfigDict(frozen=True)
    kind: Literal["progress"] = "progress"
    # With ``part``: where the parts' span starts; the job's progress is that plus every part's
    # points, so parts running at once on different workers add up instead of overwriting.
    progress: float = Field(ge=0.0, le=100.0)
    step: str | None = None
    part: str | None = Field(default=None, min_length=1, max_length=64)
    points: float = Field(default=0.0, ge=0.0, le=100.0)


class Pause(BaseModel):
    model_config = ConfigDict(frozen=True)
    kind: Literal["pause"] = "pause"


class Resume(BaseModel):
    model_config = ConfigDict(frozen=True)
    kind: Literal["resume"] = "resume"


class Complete(BaseModel):
    model_config = ConfigDict(frozen=True)
    kind: Literal["complete"] = "complete"
    output: JobOutput


class Fail(BaseModel):
    model_config = ConfigDict(frozen=True)
    kind: Literal["fail"] = "fail"
    error: str


class Cancel(BaseModel):
    model_config = ConfigDict(frozen=True)
    kind: Literal["cancel"] = "cancel"


class Warn(BaseModel):
    model_config = ConfigDict(frozen=True)
    kind: Literal["warn"] = "warn"
    message: str = Field(min_length=1, max_length=500)


JobEvent = Annotated[
    Start | Progress | Pause | Resume | Complete | Fail | Cancel | Warn,
    Field(discriminator="kind"),
]

# event kind -> (states it may leave from, state it leads to)
_TRANSITIONS: dict[str, tuple[frozenset[JobStatus], JobStatus]] = {
    "start": (frozenset({JobStatus.PENDING}), JobStatus.PROCESSING),
    "pause": (frozenset({JobStatus.PROCESSING}), JobStatus.PAUSED),
    "resume": (frozenset({JobStatus.PAUSED}), JobStatus.PROCESSING),
    "complete": (frozenset({JobStatus.PROCESSING}), JobStatus.DONE),
    "fail": (LIVE, JobStatus.ERROR),
    "cancel": (LIVE, JobStatus.CANCELLED),
}


def new_job(job_id: str, uid: str, now: datetime, **fields: Any) -> Job:
    return Job(job_id=job_id, uid=uid, created_at=now, updated_at=now, **fields)


def transition(job: Job, event: JobEvent, now: datetime) -> Job:
    """The job after ``event``; the same job for a duplicate; InvalidTransition if refused."""
    if isinstance(event, Warn):
        if event.message in job.warnings or len(job.warnings) >= MAX_WARNINGS:
            return job
        return _bump(job, now, warnings=(*job.warnings, event.message))
    if isinstance(event, Progress):
        if job.status is not JobStatus.PROCESSING:
            # Late progress after pause or the end is normal under redelivery: ignore it.
            return job
        parts = job.parts
        progress = max(job.progress, event.progress)
        if event.part is not None:
            parts = {**parts, event.part: max(parts.get(event.part, 0.0), event.points)}
            progress = max(job.progress, min(100.0, event.progress + sum(parts.values())))
        step = event.step if event.step is not None else job.step
        if progress == job.progress and step == job.step and parts == job.parts:
            return job
        return _bump(job, now, progress=progress, step=step, parts=parts)

    sources, target = _TRANSITIONS[event.kind]
    if isinstance(event, Start) and job.status is target and job.worker_id != event.worker_id:
        # Two workers raced for one job: only the claim that got there first may run it.
        raise InvalidTransition(
            f"job {job.job_id} is already processing on worker {job.worker_id}; "
            f"worker {event.worker_id} cannot start it"
        )
    if job.status is target:
        return job  # duplicate delivery of the event that got us here
    if job.status not in sources:
        raise InvalidTransition(f"job {job.job_id} is {job.status.value}; it cannot {event.kind}")
    changes: dict[str, Any] = {"status": target}
    if isinstance(event, Start):
        changes.update(worker_id=event.worker_id, attempt=job.attempt + 1, step=event.step)
    elif isinstance(event, Pause):
        changes.update(step="Paused")
    elif isinstance(event, Resume):
        changes.update(step="Resuming")
    elif isinstance(event, Complete):
        changes.update(output=event.output, progress=100.0, step="Done", completed_at=now)
    elif isinstance(event, Fail):
        changes.update(error=event.error, step="Failed", completed_at=now)
    elif isinstance(event, Cancel):
        changes.update(step="Cancelled", completed_at=now)
    return _bump(job, now, **changes)


def _bump(job: Job, now: datetime, **changes: Any) -> Job:
    return job.model_copy(update={**changes, "updated_at": now, "version": job.version + 1})


def apply_event(
    job: Job, event: JobEvent, now: datetime, expected_attempt: int | None = None
) -> Job:
    """``transition`` fenced by attempt: a worker holding a stale attempt gets Conflict.

    ``expected_attempt`` is the attempt the caller believes the job is on before the event (the
    attempt its Start produced, or the one it saw when it claimed).
    """
    if expected_attempt is not None and job.attempt != expected_attempt:
        raise Conflict(
            f"job {job.job_id} is on attempt {job.attempt}, not {expected_attempt}: "
            "this worker's claim is stale"
        )
    return transition(job, event, now)


def with_feedback(
    job: Job, now: datetime, comment: str | None = None, rating: int | None = None
) -> Job:
    """The job with the owner's comment and/or rating; InvalidRequest if a value is refused."""
    changes: dict[str, Any] = {}
    if comment is not None:
        changes["comment"] = comment
    if rating is not None:
        changes["rating"] = rating
    if not changes:
        raise InvalidRequest("give a comment or a rating")
    try:
        updated = Job.model_validate({**job.model_dump(), **changes})
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise InvalidRequest(f"feedback refused: {problems}") from None
    if updated == job:
        return job
    return _bump(updated, now)
