"""The ports: what services need from storage and messaging, with no Google types in sight.

Adapters in shared/adapters/ implement these on Firestore, Pub/Sub and GCS; tests/fakes.py holds
in-memory versions for service unit tests. Every job status change goes through ``JobStore.apply``,
which runs shared.jobs.transition atomically, so no caller can write a status directly.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Protocol

from pydantic import BaseModel

from shared.errors import InvalidRequest
from shared.jobs import Job, JobEvent, Progress

MAX_PAGE_SIZE = 100
# A page cursor is a job id: never a path ("a/b", ".."), nor an id Firestore reserves ("__x__").
_CURSOR = re.compile(r"(?!__)[A-Za-z0-9_-]{1,128}")


def check_page_size(limit: int) -> int:
    if not 1 <= limit <= MAX_PAGE_SIZE:
        raise InvalidRequest(f"limit must be between 1 and {MAX_PAGE_SIZE}, not {limit}")
    return limit


def check_cursor(cursor: str) -> str:
    if not _CURSOR.fullmatch(cursor):
        raise InvalidRequest(f"cursor {cursor[:100]!r} is not a page cursor of this user")
    return cursor


@dataclass(frozen=True)
class JobPage:
    """One page of a user's jobs, newest first; ``next_cursor`` is None on the last page."""

    jobs: tuple[Job, ...]
    next_cursor: str | None = None


class JobStore(Protocol):
    def create(self, job: Job) -> Job:
        """Store a new job; Conflict if its id exists (creation is keyed by an idempotency key)."""
        ...

    def get(self, job_id: str) -> Job:
        """The job, for backend code; NotFound if absent."""
        ...

    def get_for_user(self, job_id: str, uid: str) -> Job:
        """The job if ``uid`` owns it; NotFound otherwise (another user's job looks absent)."""
        ...

    def list_for_user(self, uid: str, limit: int = 20, cursor: str | None = None) -> JobPage:
        """The user's jobs, newest first; pass the previous page's ``next_cursor`` to go on."""
        ...

    def live_for_user(self, uid: str) -> tuple[Job, ...]:
        """The user's jobs that have not ended (pending, processing, paused)."""
        ...

    def delete(self, job_id: str) -> None:
        """Remove the job's document (absent already: no error); callers check it has ended."""
        ...

    def apply(self, job_id: str, event: JobEvent, expected_attempt: int | None = None) -> Job:
        """Apply ``event`` atomically through shared.jobs.transition and return the new job.

        ``expected_attempt`` fences stale workers: Conflict if the job has moved to another attempt.
        Raises NotFound, InvalidTransition, Conflict, or TransientError (contention: retry).
        """
        ...

    def report(self, job_id: str, event: Progress) -> Job:
        """Apply a progress tick without holding the document: it is written only if the job did
        not change since it was read (read again and retried a few times), so a person's pause or
        cancel never queues behind a busy worker's ticks. Raises what ``apply`` raises.
        """
        ...

    def set_feedback(
        self, job_id: str, uid: str, *, comment: str | None = None, rating: int | None = None
    ) -> Job:
        """Set the owner's comment and/or rating (never the status); NotFound for another user."""
        ...


@dataclass(frozen=True)
class Delivery:
    """One delivery of a message; ``ack_id`` settles it, ``message_id`` is never a dedupe key."""

    ack_id: str
    message_id: str
    data: bytes
    attributes: Mapping[str, str] = field(default_factory=dict)
    delivery_attempt: int | None = None
    publish_time: datetime | None = None


class EventBus(Protocol):
    def publish(
        self, topic: str, message: BaseModel, attributes: Mapping[str, str] | None = None
    ) -> str:
        """Publish ``message`` as JSON and return its message id once the broker has it."""
        ...

    def pull(
        self, subscription: str, max_messages: int = 1, timeout_s: float = 10.0
    ) -> list[Delivery]:
        """Up to ``max_messages`` deliveries; an empty list when none came within ``timeout_s``."""
        ...

    def ack(self, subscription: str, ack_ids: list[str]) -> None: ...

    def nack(self, subscription: str, ack_ids: list[str]) -> None:
        """Hand the messages back for immediate redelivery."""
        ...

    def extend_lease(self, subscription: str, ack_ids: list[str], seconds: int) -> None:
        """Keep the messages leased for ``seconds`` more (10-600)."""
        ...


@dataclass(frozen=True)
class SignedRequest:
    """A URL a browser may use once for one method, with the headers it must send verbatim."""

    url: str
    method: str
    headers: Mapping[str, str]
    expires_at: datetime


class BlobStore(Protocol):
    """Objects in one bucket, addressed by object name."""

    bucket: str

    def upload_file(self, name: str, path: Path, content_type: str) -> str:
        """Upload ``path`` and return the object's gs:// URI."""
        ...

    def upload_bytes(self, name: str, data: bytes, content_type: str) -> str: ...

    def download_file(self, name: str, path: Path) -> Path:
        """Write the object to ``path``; NotFound if it is absent."""
        ...

    def delete(self, name: str) -> None:
        """Delete the object; deleting an absent object is not an error (idempotent cleanup)."""
        ...

    def exists(self, name: str) -> bool: ...

    def delete_prefix(self, prefix: str) -> int:
        """Delete every object whose name starts with ``prefix``; how many there were."""
        ...

    def signed_put_url(
        self, name: str, content_type: str, size_bytes: int, ttl_s: int | None = None
    ) -> SignedRequest:
        """A PUT URL bound to this object, content type and exact size; InvalidRequest if not."""
        ...

    def signed_get_url(
        self, name: str, ttl_s: int | None = None, download_name: str | None = None
    ) -> str: ...
