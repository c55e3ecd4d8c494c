"""Job status changes as CloudEvents on the ``job-events`` topic, for integrations (pure model +
one publish helper). docs/events.md documents every type and field.

The event id is ``{job_id}:{version}``: the job document's version only grows, so a status change
published twice (at-least-once everywhere) carries the same id, and subscribers deduplicate on
(source, id) as the CloudEvents spec asks.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.jobs import Job, JobEvent, JobOutput, JobStatus
from shared.ports import EventBus, JobStore
from shared.settings import Settings
from shared.topology import JOB_EVENTS

log = logging.getLogger(__name__)

EVENT_TYPE_PREFIX = "com.createstudio.job."
SOURCE = "//createstudio/jobs"


class JobEventData(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    job_id: str
    uid: str
    status: JobStatus
    previous_status: JobStatus | None
    step: str
    progress: float
    warnings: tuple[str, ...]
    output: JobOutput | None
    error: str | None
    version: int


class JobCloudEvent(BaseModel):
    """A CloudEvents 1.0 event in structured JSON mode."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    specversion: Literal["1.0"] = "1.0"
    id: str
    source: str = SOURCE
    type: str = Field(pattern=r"^com\.createstudio\.job\.[a-z]+$")
    subject: str
    time: datetime
    datacontenttype: Literal["application/json"] = "application/json"
    data: JobEventData


def status_event(job: Job, previous: JobStatus | None) -> JobCloudEvent:
    """The event for ``job`` having just moved from ``previous`` (None: it was created)."""
    return JobCloudEvent(
        id=f"{job.job_id}:{job.version}",
        type=f"{EVENT_TYPE_PREFIX}{job.status.value}",
        subject=f"jobs/{job.job_id}",
        time=job.updated_at,
        data=JobEventData(
            job_id=job.job_id, uid=job.uid, status=job.status, previous_status=previous,
            step=job.step, progress=job.progress, warnings=job.warnings, output=job.output,
            error=job.error, version=job.version,
        ),
    )  # fmt: skip


def announce(bus: EventBus, settings: Settings, job: Job, previous: JobStatus | None) -> None:
    """Publish the status change of ``job`` if there was one. Best effort: the job document is
    the source of truth, so a lost event is logged, never a reason to undo the change."""
    if previous is job.status:
        return
    event = status_event(job, previous)
    try:
        bus.publish(settings.topic(JOB_EVENTS), event, {"ce-type": event.type, "ce-id": event.id})
    except Exception:
        log.warning("job event not published", exc_info=True, extra={"job_id": job.job_id})


def apply_and_announce(
    jobs: JobStore, bus: EventBus, settings: Settings, job_id: str, event: JobEvent
) -> Job:
    """Apply ``event`` to the job and announce the status change it made, if any."""
    before = jobs.get(job_id)
    after = jobs.apply(job_id, event)
    announce(bus, settings, after, before.status)
    return after
