"""What one user may have in flight at once: jobs, and minutes of programme being made.

Checked when a job is submitted (POST /api/jobs): one person's long-form queue must not hold
every worker. Two submissions at the same instant may both pass (the check reads, it does not
reserve); the caps bound what one person can do, not to the job.
"""

from __future__ import annotations

from collections.abc import Iterable

from shared.errors import TooManyRequests
from shared.jobs import Job
from shared.settings import Settings
from shared.timeline.model import Timeline

RETRY_AFTER_S = 60  # jobs take minutes: ask again in a minute


def _minutes(ms: int) -> float:
    return ms / 60_000


def programme_ms(job: Job) -> int:
    return 0 if job.timeline is None else Timeline.model_validate(job.timeline).duration_ms


def check_room(live: Iterable[Job], new_ms: int, settings: Settings) -> None:
    """TooManyRequests (429) if one more job of ``new_ms`` would put the user over a cap."""
    jobs = tuple(live)
    if len(jobs) >= settings.user_max_jobs:
        raise TooManyRequests(
            f"you already have {len(jobs)} jobs in flight, the most one person may have at "
            "once; wait until one ends, or cancel one",
            RETRY_AFTER_S,
        )
    used = sum(programme_ms(job) for job in jobs)
    if _minutes(used + new_ms) > settings.user_max_minutes:
        raise TooManyRequests(
            f"this job's {_minutes(new_ms):.0f} minutes and the {_minutes(used):.0f} minutes "
            f"already in flight come to more than {settings.user_max_minutes} minutes of video, "
            "the most one person may have made at once; wait until a job ends, or cancel one",
            RETRY_AFTER_S,
        )
