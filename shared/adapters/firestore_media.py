"""The media library on Firestore: ``media/{media_id}`` documents (MediaItem).

The HTTP side (shared.library) writes these documents; the render reads them to resolve
``media:<id>`` sources, always through ``get_for_user`` with the job's owner, so a job can
never use another user's file.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from google.api_core import exceptions as gexc
from google.cloud import firestore
from google.cloud.firestore_v1 import FieldFilter

from shared.adapters.firestore_jobs import firestore_errors
from shared.errors import Conflict, NotFound
from shared.pipeline.media_item import MediaItem, MediaStatus
from shared.pipeline.messages import Route

COLLECTION = "media"


def _to_doc(item: MediaItem) -> dict[str, Any]:
    """JSON-mode values (enums as strings), with the datetime kept as a Firestore timestamp."""
    return {**item.model_dump(mode="json"), "created_at": item.created_at}


@firestore.transactional
def _change_in_transaction(
    transaction: firestore.Transaction,
    ref: firestore.DocumentReference,
    change: Callable[[MediaItem], MediaItem],
) -> MediaItem:
    snapshot = ref.get(transaction=transaction)
    if not snapshot.exists:
        raise NotFound(f"media {ref.id} not found")
    changed = change(MediaItem.model_validate(snapshot.to_dict()))
    transaction.set(ref, _to_doc(changed))
    return changed


class FirestoreMediaLibrary:
    def __init__(self, db: firestore.Client) -> None:
        self._db = db
        self._docs = db.collection(COLLECTION)

    def get(self, media_id: str) -> MediaItem:
        with firestore_errors(f"reading media {media_id}"):
            snapshot = self._docs.document(media_id).get()
        if not snapshot.exists:
            raise NotFound(f"media {media_id} not found")
        return MediaItem.model_validate(snapshot.to_dict())

    def get_for_user(self, media_id: str, uid: str) -> MediaItem:
        item = self.get(media_id)
        if item.uid != uid:
            raise NotFound(f"media {media_id} not found")  # never reveal that it exists
        return item

    def create(self, item: MediaItem) -> MediaItem:
        with firestore_errors(f"creating media {item.media_id}"):
            try:
                self._docs.document(item.media_id).create(_to_doc(item))
            except gexc.AlreadyExists:
                raise Conflict(f"media {item.media_id} already exists") from None
        return item

    def mark_ready(self, item: MediaItem, **facts: Any) -> MediaItem:
        """The item validated: ``facts`` (object name, size, dimensions...) and status ready."""
        ready = MediaItem.model_validate(
            {**item.model_dump(), **facts, "status": MediaStatus.READY}
        )
        with firestore_errors(f"marking media {item.media_id} ready"):
            self._docs.document(item.media_id).set(_to_doc(ready))
        return ready

    def mark_failed(self, item: MediaItem, error: str) -> MediaItem:
        """An AI-made item that could not be made: kept, with why, for the person to see."""
        failed = item.model_copy(update={"status": MediaStatus.FAILED, "error": error[:4000]})
        with firestore_errors(f"marking media {item.media_id} failed"):
            self._docs.document(item.media_id).set(_to_doc(failed))
        return failed

    def change(self, media_id: str, change: Callable[[MediaItem], MediaItem]) -> MediaItem:
        """Apply ``change`` atomically (re-run on contention); what it raises is raised."""
        with firestore_errors(f"changing media {media_id}"):
            changed: MediaItem = _change_in_transaction(
                self._db.transaction(max_attempts=10), self._docs.document(media_id), change
            )
        return changed

    def pending_on(self, route: Route, deployment: str) -> list[MediaItem]:
        """Pending AI items of ``deployment`` whose latest attempt went to ``route`` (the
        sweeper's work list)."""
        query = self._docs.where(filter=FieldFilter("status", "==", MediaStatus.PENDING.value))
        query = query.where(filter=FieldFilter("placement.route", "==", route.value))
        query = query.where(filter=FieldFilter("placement.deployment", "==", deployment))
        with firestore_errors("listing pending generations"):
            return [MediaItem.model_validate(doc.to_dict()) for doc in query.stream()]

    def list_for_user(self, uid: str, limit: int = 500) -> list[MediaItem]:
        """The user's items, newest first (production index: uid ASC, created_at DESC)."""
        query = (
            self._docs.where(filter=FieldFilter("uid", "==", uid))
            .order_by("created_at", direction=firestore.Query.DESCENDING)
            .limit(limit)
        )
        with firestore_errors(f"listing media of {uid}"):
            return [MediaItem.model_validate(doc.to_dict()) for doc in query.stream()]

    def delete(self, media_id: str) -> None:
        with firestore_errors(f"deleting media {media_id}"):
            self._docs.document(media_id).delete()
