"""WorkerRegistry on Firestore: heartbeats in ``workers/{worker_id}``, stamped with server time.

``firestore.rules`` lets signed-in users read this collection (the status page shows which boxes
are online); only the backend writes it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from google.cloud import firestore

from shared.adapters.firestore_jobs import _translated_errors as translated_errors
from shared.pipeline.heartbeat import Heartbeat

COLLECTION = "workers"


def _to_doc(beat: Heartbeat) -> dict[str, Any]:
    doc = beat.model_dump(mode="json")
    for name in ("last_pull_at", "started_at"):
        doc[name] = getattr(beat, name)  # timestamps, not strings
    doc["updated_at"] = firestore.SERVER_TIMESTAMP
    return doc


class FirestoreWorkerRegistry:
    def __init__(self, db: firestore.Client) -> None:
        self._docs = db.collection(COLLECTION)

    def beat(self, heartbeat: Heartbeat) -> None:
        with translated_errors(f"writing the heartbeat of {heartbeat.worker_id}"):
            self._docs.document(heartbeat.worker_id).set(_to_doc(heartbeat))

    def get(self, worker_id: str) -> Heartbeat | None:
        with translated_errors(f"reading the heartbeat of {worker_id}"):
            snapshot = self._docs.document(worker_id).get()
        return Heartbeat.model_validate(snapshot.to_dict()) if snapshot.exists else None

    def all(self) -> list[Heartbeat]:
        with translated_errors("reading heartbeats"):
            return [Heartbeat.model_validate(doc.to_dict()) for doc in self._docs.stream()]

    def remove(self, worker_id: str) -> None:
        with translated_errors(f"removing the heartbeat of {worker_id}"):
            self._docs.document(worker_id).delete()

    def now(self) -> datetime:
        # Heartbeats carry the server's time; this process is a cloud function or the sweeper,
        # whose clock is NTP-synced. A GPU box's own clock is never compared with anything.
        return datetime.now(UTC)
