"""In-memory fakes of OUR ports (shared.ports), for unit tests of services.

They apply the same pure rules as the adapters (shared.jobs.apply_event, the bus's encode/decode,
the blob store's upload checks), so a service tested against them meets the same refusals.
Google's services are never faked: adapters are tested against the emulators.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from pydantic import BaseModel

from shared.adapters.gcs_blobs import check_object_name, check_ttl, check_upload
from shared.adapters.pubsub_bus import encode
from shared.adapters.signing import upload_headers
from shared.clock import utc_now
from shared.errors import Conflict, InvalidRequest, NotFound
from shared.jobs import Job, JobEvent, Progress, apply_event, with_feedback
from shared.ports import Delivery, JobPage, SignedRequest, check_page_size


class InMemoryJobStore:
    def __init__(self, clock: Callable[[], datetime] = utc_now) -> None:
        self.jobs: dict[str, Job] = {}
        self._clock = clock
        self._lock = threading.Lock()  # plays the Firestore transaction

    def create(self, job: Job) -> Job:
        with self._lock:
            if job.job_id in self.jobs:
                raise Conflict(f"job {job.job_id} already exists")
            self.jobs[job.job_id] = job
        return job

    def get(self, job_id: str) -> Job:
        try:
            return self.jobs[job_id]
        except KeyError:
            raise NotFound(f"job {job_id} not found") from None

    def get_for_user(self, job_id: str, uid: str) -> Job:
        job = self.get(job_id)
        if job.uid != uid:
            raise NotFound(f"job {job_id} not found")
        return job

    def list_for_user(self, uid: str, limit: int = 20, cursor: str | None = None) -> JobPage:
        check_page_size(limit)
        mine = sorted(
            (job for job in self.jobs.values() if job.uid == uid),
            key=lambda job: (job.created_at, job.job_id),
            reverse=True,
        )
        start = 0
        if cursor is not None:
            ids = [job.job_id for job in mine]
            if cursor not in ids:
                raise InvalidRequest(f"cursor {cursor!r} is not a page cursor of this user")
            start = ids.index(cursor) + 1
        page = tuple(mine[start : start + limit])
        more = len(mine) > start + limit
        return JobPage(jobs=page, next_cursor=page[-1].job_id if more else None)

    def live_for_user(self, uid: str) -> tuple[Job, ...]:
        return tuple(j for j in self.jobs.values() if j.uid == uid and not j.status.terminal)

    def delete(self, job_id: str) -> None:
        with self._lock:
            self.jobs.pop(job_id, None)

    def apply(self, job_id: str, event: JobEvent, expected_attempt: int | None = None) -> Job:
        return self._change(
            job_id, lambda job: apply_event(job, event, self._clock(), expected_attempt)
        )

    def report(self, job_id: str, event: Progress) -> Job:
        return self.apply(job_id, event)

    def set_feedback(
        self, job_id: str, uid: str, *, comment: str | None = None, rating: int | None = None
    ) -> Job:
        def change(job: Job) -> Job:
            if job.uid != uid:
                raise NotFound(f"job {job_id} not found")
            return with_feedback(job, self._clock(), comment=comment, rating=rating)

        return self._change(job_id, change)

    def _change(self, job_id: str, change: Callable[[Job], Job]) -> Job:
        with self._lock:
            job = change(self.get(job_id))
            self.jobs[job_id] = job
        return job


@dataclass(frozen=True)
class Published:
    topic: str
    message: BaseModel
    attributes: Mapping[str, str]
    message_id: str


@dataclass
class _Pending:
    delivery: Delivery
    leased: bool = False


class RecordingEventBus:
    """Records every publish; subscriptions attached with ``attach`` receive copies to pull."""

    def __init__(self) -> None:
        self.published: list[Published] = []
        self._topics: dict[str, list[str]] = {}  # topic -> subscriptions
        self._queues: dict[str, list[_Pending]] = {}
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    def attach(self, subscription: str, topic: str) -> None:
        with self._lock:
            self._topics.setdefault(topic, []).append(subscription)
            self._queues.setdefault(subscription, [])

    def messages(self, topic: str) -> list[BaseModel]:
        return [p.message for p in self.published if p.topic == topic]

    def publish(
        self, topic: str, message: BaseModel, attributes: Mapping[str, str] | None = None
    ) -> str:
        data, attrs = encode(message, attributes)
        with self._lock:
            message_id = str(next(self._ids))
            self.published.append(Published(topic, message, attrs, message_id))
            for subscription in self._topics.get(topic, []):
                self._queues[subscription].append(
                    _Pending(Delivery(f"{subscription}/{message_id}/1", message_id, data, attrs, 1))
                )
        return message_id

    def pull(
        self, subscription: str, max_messages: int = 1, timeout_s: float = 10.0
    ) -> list[Delivery]:
        with self._lock:
            ready = [p for p in self._queue(subscription) if not p.leased][:max_messages]
            for pending in ready:
                pending.leased = True
            return [p.delivery for p in ready]

    def ack(self, subscription: str, ack_ids: list[str]) -> None:
        with self._lock:
            queue = self._queue(subscription)
            queue[:] = [p for p in queue if p.delivery.ack_id not in ack_ids]

    def nack(self, subscription: str, ack_ids: list[str]) -> None:
        with self._lock:
            for pending in self._queue(subscription):
                if pending.delivery.ack_id in ack_ids:
                    attempt = (pending.delivery.delivery_attempt or 0) + 1
                    ack_id = f"{subscription}/{pending.delivery.message_id}/{attempt}"
                    pending.delivery = Delivery(
                        ack_id,
                        pending.delivery.message_id,
                        pending.delivery.data,
                        pending.delivery.attributes,
                        attempt,
                    )
                    pending.leased = False

    def extend_lease(self, subscription: str, ack_ids: list[str], seconds: int) -> None:
        if seconds == 0:
            self.nack(subscription, ack_ids)

    def _queue(self, subscription: str) -> list[_Pending]:
        try:
            return self._queues[subscription]
        except KeyError:
            raise NotFound(f"subscription {subscription} does not exist") from None


@dataclass
class StoredObject:
    data: bytes
    content_type: str


@dataclass
class InMemoryBlobStore:
    bucket: str = "fake-bucket"
    default_ttl_s: int = 900
    max_upload_bytes: int = 50 * 1024 * 1024
    objects: dict[str, StoredObject] = field(default_factory=dict)

    def upload_file(self, name: str, path: Path, content_type: str) -> str:
        return self.upload_bytes(name, path.read_bytes(), content_type)

    def upload_bytes(self, name: str, data: bytes, content_type: str) -> str:
        self.objects[check_object_name(name)] = StoredObject(data, content_type)
        return f"gs://{self.bucket}/{name}"

    def download_file(self, name: str, path: Path) -> Path:
        try:
            path.write_bytes(self.objects[name].data)
        except KeyError:
            raise NotFound(f"gs://{self.bucket}/{name}: no such object") from None
        return path

    def delete(self, name: str) -> None:
        self.objects.pop(name, None)

    def exists(self, name: str) -> bool:
        return name in self.objects

    def delete_prefix(self, prefix: str) -> int:
        names = [name for name in self.objects if name.startswith(prefix)]
        for name in names:
            del self.objects[name]
        return len(names)

    def signed_put_url(
        self, name: str, content_type: str, size_bytes: int, ttl_s: int | None = None
    ) -> SignedRequest:
        check_upload(content_type, size_bytes, self.max_upload_bytes)
        ttl = check_ttl(ttl_s, self.default_ttl_s)
        return SignedRequest(
            url=self._url(name, "PUT", ttl),
            method="PUT",
            headers=upload_headers(content_type, size_bytes),
            expires_at=utc_now() + timedelta(seconds=ttl),
        )

    def signed_get_url(
        self, name: str, ttl_s: int | None = None, download_name: str | None = None
    ) -> str:
        return self._url(name, "GET", check_ttl(ttl_s, self.default_ttl_s))

    def _url(self, name: str, method: str, ttl: int) -> str:
        return (
            f"https://storage.invalid/{self.bucket}/{check_object_name(name)}?m={method}&ttl={ttl}"
        )
