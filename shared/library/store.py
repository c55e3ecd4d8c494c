"""MediaItem documents on Firestore: ``media/{media_id}`` (read by their owner under the rules).

Production needs the composite index (uid ASC, created_at DESC) for ``list_for_user``.
"""

from __future__ import annotations

from typing import Any

from google.api_core import exceptions as gexc
from google.cloud import firestore
from google.cloud.firestore_v1 import FieldFilter

from shared.errors import Conflict, NotFound
from shared.pipeline.media_item import MediaItem, MediaStatus

COLLECTION = "media"


def _to_doc(item: MediaItem) -> dict[str, Any]:
    """JSON-mode values (enums as strings), with the datetime kept as a Firestore timestamp."""
    return {**item.model_dump(mode="json"), "created_at": item.created_at}


class FirestoreMediaStore:
    def __init__(self, db: firestore.Client) -> None:
        self._media = db.collection(COLLECTION)

    def create(self, item: MediaItem) -> MediaItem:
        try:
            self._media.document(item.media_id).create(_to_doc(item))
        except gexc.AlreadyExists:
            raise Conflict(f"media {item.media_id} already exists") from None
        return item

    def get_for_user(self, media_id: str, uid: str) -> MediaItem:
        """The item if ``uid`` owns it; NotFound otherwise (another user's item looks absent)."""
        snapshot = self._media.document(media_id).get()
        data: dict[str, Any] | None = snapshot.to_dict() if snapshot.exists else None
        if data is None or data.get("uid") != uid:
            raise NotFound(f"media {media_id} not found")
        return MediaItem.model_validate(data)

    def mark_ready(self, item: MediaItem, **facts: Any) -> MediaItem:
        ready = MediaItem.model_validate(
            {**item.model_dump(), **facts, "status": MediaStatus.READY}
        )
        self._media.document(item.media_id).set(_to_doc(ready))
        return ready

    def list_for_user(self, uid: str, limit: int = 500) -> list[MediaItem]:
        """The user's items, newest first."""
        query = (
            self._media.where(filter=FieldFilter("uid", "==", uid))
            .order_by("created_at", direction=firestore.Query.DESCENDING)
            .limit(limit)
        )
        return [MediaItem.model_validate(doc.to_dict()) for doc in query.stream()]

    def delete(self, media_id: str) -> None:
        self._media.document(media_id).delete()
