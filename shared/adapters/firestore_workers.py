"""WorkerRegistry on Firestore: heartbeats in ``workers/{prefix}{worker_id}``, stamped with
server time. Backend only (firestore.rules gives clients no access; the status function serves
what the editor needs).

``deployment`` is the topic prefix: environments sharing a project (and tests sharing one
emulator) each see only their own workers, as each has its own task topics.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from google.cloud import firestore
from google.cloud.firestore_v1 import FieldFilter

from shared.adapters.firestore_jobs import firestore_errors
from shared.pipeline.heartbeat import Heartbeat

COLLECTION = "workers"
DEPLOYMENT = "deployment"


def _to_doc(beat: Heartbeat, deployment: str) -> dict[str, Any]:
    doc = beat.model_dump(mode="json")
    doc[DEPLOYMENT] = deployment
    for name in ("last_pull_at", "started_at"):
        doc[name] = getattr(beat, name)  # timestamps, not strings
    doc["updated_at"] = firestore.SERVER_TIMESTAMP
    return doc


def _from_doc(doc: dict[str, Any] | None) -> Heartbeat:
    fields = dict(doc or {})
    fields.pop(DEPLOYMENT, None)
    return Heartbeat.model_validate(fields)


class FirestoreWorkerRegistry:
    def __init__(self, db: firestore.Client, deployment: str = "") -> None:
        self._docs = db.collection(COLLECTION)
        self._deployment = deployment

    def _ref(self, worker_id: str) -> firestore.DocumentReference:
        return self._docs.document(f"{self._deployment}{worker_id}")

    def beat(self, heartbeat: Heartbeat) -> None:
        with firestore_errors(f"writing the heartbeat of {heartbeat.worker_id}"):
            self._ref(heartbeat.worker_id).set(_to_doc(heartbeat, self._deployment))

    def get(self, worker_id: str) -> Heartbeat | None:
        with firestore_errors(f"reading the heartbeat of {worker_id}"):
            snapshot = self._ref(worker_id).get()
        return _from_doc(snapshot.to_dict()) if snapshot.exists else None

    def all(self) -> list[Heartbeat]:
        query = self._docs.where(filter=FieldFilter(DEPLOYMENT, "==", self._deployment))
        with firestore_errors("reading heartbeats"):
            return [_from_doc(doc.to_dict()) for doc in query.stream()]

    def now(self) -> datetime:
        # Heartbeats carry the server's time; this process is a cloud function or the sweeper,
        # whose clock is NTP-synced. A GPU box's own clock is never compared with anything.
        return datetime.now(UTC)
