"""Deleting a job that has ended: its result objects, its task graph, then its document.

The document goes last, so a delete cut short by an outage leaves the job listed and the user
can simply delete it again. A job still running must be cancelled first: its worker could
otherwise write results after they were removed.
"""

from __future__ import annotations

import logging

from shared.errors import InvalidTransition
from shared.jobs import RENDER_FOLDERS
from shared.pipeline.ports import PipelineServices

log = logging.getLogger(__name__)

# Every object a job's tasks write in the renders bucket (shared/pipeline/executors.py).
RESULT_PREFIXES = (*(f"{f}/{{job_id}}/" for f in RENDER_FOLDERS.values()), "work/{job_id}/")


def delete_job(*, job_id: str, uid: str, ports: PipelineServices) -> None:
    """NotFound for another user's job; InvalidTransition (409) for one still running."""
    job = ports.jobs.get_for_user(job_id, uid)
    if not job.status.terminal:
        raise InvalidTransition("cancel the job before deleting it")
    removed = sum(
        ports.renders.delete_prefix(prefix.format(job_id=job_id)) for prefix in RESULT_PREFIXES
    )
    ports.pipelines.delete(job_id)
    ports.jobs.delete(job_id)
    log.info("job deleted", extra={"job_id": job_id, "uid": uid, "objects": removed})
