"""The media library's reads on Firestore: ``media/{media_id}`` documents (MediaItem).

The HTTP side writes these documents; the render reads them to resolve ``media:<id>`` sources,
always through ``get_for_user`` with the job's owner, so a job can never use another user's file.
"""

from __future__ import annotations

from google.cloud import firestore

from shared.adapters.firestore_jobs import _translated_errors as translated_errors
from shared.errors import NotFound
from shared.pipeline.media_item import MediaItem

COLLECTION = "media"


class FirestoreMediaLibrary:
    def __init__(self, db: firestore.Client) -> None:
        self._docs = db.collection(COLLECTION)

    def get(self, media_id: str) -> MediaItem:
        with translated_errors(f"reading media {media_id}"):
            snapshot = self._docs.document(media_id).get()
        if not snapshot.exists:
            raise NotFound(f"media {media_id} not found")
        return MediaItem.model_validate(snapshot.to_dict())

    def get_for_user(self, media_id: str, uid: str) -> MediaItem:
        item = self.get(media_id)
        if item.uid != uid:
            raise NotFound(f"media {media_id} not found")  # never reveal that it exists
        return item
