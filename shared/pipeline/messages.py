"""Messages on the pipeline's Pub/Sub topics (the wire contract; pure pydantic, versioned).

    topic "jobs"        -> orchestrator:  JobCreated | TaskFinished | TaskFailed | JobControl
    topic "tasks-gpu"   -> gpu_subscriber:  TaskCommand (route gpu) | GenerateMedia
    topic "tasks-cloud" -> cloud render / cloud workers:  TaskCommand (route cloud) | GenerateMedia
    topic "job-events"  -> integrations:  a CloudEvent per job status change (docs/events.md)

Messages carry identifiers only (job id, task name, attempt); handlers load everything else
from Firestore, so a redelivered or reordered message can never carry stale state.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Final, Literal

from pydantic import BaseModel, ConfigDict, Field

MESSAGE_SCHEMA_VERSION: Final = 1

_ID = Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_-]+$")


class TaskKind(StrEnum):
    SCRIPT = "script"
    VOICE = "voice"
    MUSIC = "music"
    CLIP = "clip"
    RENDER = "render"
    # A long render split across workers (shared/pipeline/fanout.py): the whole mix, one part
    # of the picture each, and the join of the parts into the delivered video.
    MIX = "mix"
    SEGMENT = "segment"
    JOIN = "join"


# The kinds with an executor that runs on a plain CPU (the offline links and FFmpeg): every
# cloud worker takes them, and so does a GPU box.
CPU_KINDS: Final = (
    TaskKind.SCRIPT, TaskKind.VOICE, TaskKind.MUSIC, TaskKind.RENDER,
    TaskKind.MIX, TaskKind.SEGMENT, TaskKind.JOIN,
)  # fmt: skip


class Route(StrEnum):
    GPU = "gpu"  # a GPU box's gpu_subscriber
    CLOUD = "cloud"  # a cloud worker (the CPU renderer on Cloud Run, cloud AI functions)


class _Message(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    schema_version: Literal[1] = MESSAGE_SCHEMA_VERSION


class JobCreated(_Message):
    kind: Literal["job_created"] = "job_created"
    job_id: str = _ID


class TaskFinished(_Message):
    kind: Literal["task_finished"] = "task_finished"
    job_id: str = _ID
    task: str = _ID
    attempt: int = Field(ge=1)
    worker_id: str = Field(min_length=1, max_length=200)
    result: dict[str, str] = Field(default_factory=dict)  # e.g. {"uri": "gs://..."}


class TaskFailed(_Message):
    kind: Literal["task_failed"] = "task_failed"
    job_id: str = _ID
    task: str = _ID
    attempt: int = Field(ge=1)
    worker_id: str = Field(min_length=1, max_length=200)
    error: str = Field(max_length=4000)
    retryable: bool = True


class JobControl(_Message):
    """The owner paused, resumed or cancelled the job (the job document already says so): the
    orchestrator re-queues handed-back tasks on resume and stops tracking an ended job."""

    kind: Literal["job_control"] = "job_control"
    job_id: str = _ID
    action: Literal["pause", "resume", "cancel"]


JobMessage = Annotated[
    JobCreated | TaskFinished | TaskFailed | JobControl, Field(discriminator="kind")
]


class TaskCommand(_Message):
    """Do one task of one job. ``attempt`` fences stale deliveries: a worker whose attempt is
    no longer the task's current attempt drops the message."""

    kind: Literal["task"] = "task"
    job_id: str = _ID
    task: str = _ID
    task_kind: TaskKind
    attempt: int = Field(ge=1)
    route: Route


class GenerateMedia(_Message):
    """Make the AI still or clip the pending library item ``media_id`` asks for (its document
    holds the request: shared/imagery). Job-less: the item's status is its only state."""

    kind: Literal["generate_media"] = "generate_media"
    media_id: str = _ID
    uid: str = Field(min_length=1, max_length=128)
    attempt: int = Field(default=1, ge=1)  # the item's placement attempt this message is for


WorkerMessage = Annotated[TaskCommand | GenerateMedia, Field(discriminator="kind")]
