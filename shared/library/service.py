"""Media library use cases: request an upload, register (validate) it, list, delete.

request_upload -> a pending MediaItem + a signed PUT bound to type and exact size
register       -> download the object, validate it with shared.render.media.ingest, store the
                  photo re-encoded (no metadata) with its thumbnails (thumbs/, previews/)
                  or the audio as sent, mark it ready; anything refused is deleted
                  (objects and document) and never usable
request_made   -> a pending item an AI still or clip (shared/imagery) fills in with
store_made_*      the same validation; what cannot be made leaves it failed, with why
"""

from __future__ import annotations

import logging
import tempfile
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from PIL import Image

from shared.adapters.firestore_media import FirestoreMediaLibrary
from shared.errors import Conflict, InvalidMedia, InvalidRequest
from shared.imagery.request import GenerateRequest
from shared.library.policy import (
    Accepted,
    LibraryLimits,
    accepted,
    check_quota,
    check_size,
    display_name,
)
from shared.library.thumbnails import THUMBNAILS, make_thumbnail
from shared.pipeline.media_item import MediaItem, MediaKindName, MediaStatus, Placement
from shared.ports import BlobStore, SignedRequest
from shared.render.media.ingest import MediaLimits, ingest_audio, ingest_photo, ingest_video
from shared.render.media.probe import read_head, sniff_container
from shared.timeline.model import Fit

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Library:
    media: FirestoreMediaLibrary
    blobs: BlobStore
    limits: LibraryLimits = LibraryLimits()

    def request_upload(
        self, uid: str, filename: str, content_type: str, size_bytes: int, now: datetime
    ) -> tuple[MediaItem, SignedRequest]:
        kind = accepted(content_type)
        check_size(kind.kind, size_bytes, self.limits)
        name = display_name(filename)
        items = [
            i for i in self.media.list_for_user(uid, self.limits.max_items) if self._live(i, now)
        ]
        check_quota(len(items), sum(i.size_bytes for i in items), size_bytes, self.limits)
        media_id = uuid.uuid4().hex
        item = MediaItem(
            media_id=media_id,
            uid=uid,
            kind=kind.kind,
            object_name=f"uploads/{uid}/{media_id}.{kind.extension}",
            content_type=content_type.strip().lower(),
            size_bytes=size_bytes,
            filename=name,
            created_at=now,
        )
        upload = self.blobs.signed_put_url(item.object_name, item.content_type, size_bytes)
        self.media.create(item)
        log.info("upload requested", extra={"uid": uid, "media_id": media_id})
        return item, upload

    def register(self, uid: str, media_id: str, now: datetime) -> MediaItem:
        item = self.media.get_for_user(media_id, uid)
        if item.status is MediaStatus.READY:
            return item  # registering twice is harmless
        if not self._live(item, now):
            raise InvalidRequest(
                f"the upload of media {media_id} was not registered in time; ask for a new URL"
            )
        if not self.blobs.exists(item.object_name):
            raise Conflict(f"nothing has been uploaded for media {media_id} yet")
        try:
            with tempfile.TemporaryDirectory(prefix="register-") as tmp:
                ready = self._validate_and_store(item, Path(tmp))
        except InvalidMedia:
            self._discard(item)
            raise
        log.info("media ready", extra={"uid": uid, "media_id": media_id})
        return ready

    def request_made(
        self, uid: str, generation: GenerateRequest, placement: Placement, now: datetime
    ) -> MediaItem:
        """A pending item that an AI still or clip will fill in (it counts against the quota)."""
        kind = MediaKindName.IMAGE if generation.kind == "image" else MediaKindName.VIDEO
        items = [
            i for i in self.media.list_for_user(uid, self.limits.max_items) if self._live(i, now)
        ]
        check_quota(len(items), sum(i.size_bytes for i in items), 0, self.limits)
        media_id = uuid.uuid4().hex
        image = kind is MediaKindName.IMAGE
        item = MediaItem(
            media_id=media_id, uid=uid, kind=kind,
            object_name=f"uploads/{uid}/{media_id}.{'png' if image else 'mp4'}",
            content_type="image/png" if image else "video/mp4", size_bytes=0,
            filename=display_name(f"AI {kind.value} - {generation.prompt}"),
            prompt=generation.prompt, generation=generation, placement=placement,
            created_at=now,
        )  # fmt: skip
        self.media.create(item)
        log.info("generation requested", extra={"uid": uid, "media_id": media_id})
        return item

    def store_made_image(
        self, item: MediaItem, still: Path, content_type: str, made_by: str, warning: str
    ) -> MediaItem:
        """Validate and store a made still exactly as an uploaded photo (thumbnails included);
        one the library refuses leaves the item failed, with why."""
        kind = accepted(content_type)
        staged = item.model_copy(
            update={
                "object_name": f"uploads/{item.uid}/{item.media_id}.{kind.extension}",
                "content_type": content_type, "size_bytes": still.stat().st_size,
                "made_by": made_by, "warning": warning,
            }
        )  # fmt: skip
        self.blobs.upload_file(staged.object_name, still, content_type)
        try:
            with tempfile.TemporaryDirectory(prefix="made-") as tmp:
                return self._validate_and_store(staged, Path(tmp))
        except InvalidMedia as exc:
            self.blobs.delete(staged.object_name)
            return self.media.mark_failed(staged, exc.message)

    def store_made_clip(
        self, item: MediaItem, clip: Path, poster: Path, made_by: str, warning: str
    ) -> MediaItem:
        """Store a made clip (already in the project's format) with thumbnails of its poster."""
        try:
            info = ingest_video(clip)
        except InvalidMedia as exc:
            return self.media.mark_failed(item, exc.message)
        name = f"library/{item.uid}/{item.media_id}.mp4"
        thumbs = {}
        with tempfile.TemporaryDirectory(prefix="made-") as tmp:
            for thumb in THUMBNAILS:
                small = make_thumbnail(poster, thumb.edge, Path(tmp) / f"{thumb.folder}.jpg")
                thumbs[thumb.folder] = thumb.object_name(item.uid, item.media_id)
                self.blobs.upload_file(thumbs[thumb.folder], small, "image/jpeg")
        self.blobs.upload_file(name, clip, "video/mp4")
        return self.media.mark_ready(
            item, object_name=name, thumb_object_name=thumbs["thumbs"],
            preview_object_name=thumbs["previews"], content_type="video/mp4",
            size_bytes=clip.stat().st_size, width=info.width, height=info.height,
            duration_ms=info.duration_ms, made_by=made_by, warning=warning,
        )  # fmt: skip

    def store_made_voice(
        self, uid: str, wav: Path, script: str, made_by: str, warning: str, now: datetime
    ) -> MediaItem:
        """A voice made from the editor's script, checked and stored as an uploaded WAV is (it
        counts against the quota); refused, nothing of it is kept."""
        size = wav.stat().st_size
        check_size(MediaKindName.AUDIO, size, self.limits)
        items = [
            i for i in self.media.list_for_user(uid, self.limits.max_items) if self._live(i, now)
        ]
        check_quota(len(items), sum(i.size_bytes for i in items), size, self.limits)
        media_id = uuid.uuid4().hex
        name = f"Voice - {' '.join(script.split())[:60]}".replace("/", " ")
        item = MediaItem(
            media_id=media_id, uid=uid, kind=MediaKindName.AUDIO,
            object_name=f"uploads/{uid}/{media_id}.wav", content_type="audio/wav",
            size_bytes=size, filename=display_name(name), prompt=script[:2000],
            made_by=made_by, warning=warning[:4000], created_at=now,
        )  # fmt: skip
        self.media.create(item)
        self.blobs.upload_file(item.object_name, wav, "audio/wav")
        try:
            with tempfile.TemporaryDirectory(prefix="voice-") as tmp:
                return self._validate_and_store(item, Path(tmp))
        except InvalidMedia:
            self._discard(item)
            raise

    def fail_made(self, item: MediaItem, error: str) -> MediaItem:
        return self.media.mark_failed(item, error)

    def list_items(self, uid: str) -> list[MediaItem]:
        return self.media.list_for_user(uid, limit=self.limits.max_items)

    def delete(self, uid: str, media_id: str) -> None:
        self._discard(self.media.get_for_user(media_id, uid))

    def _live(self, item: MediaItem, now: datetime) -> bool:
        """Ready, or pending within its upload window; an abandoned upload is removed here, so
        it stops counting against the quota."""
        expired = now > item.created_at + timedelta(seconds=self.limits.pending_ttl_s)
        if item.status is MediaStatus.PENDING and expired:
            self._discard(item)
            return False
        return True

    def _discard(self, item: MediaItem) -> None:
        self.blobs.delete(item.object_name)
        if item.kind is not MediaKindName.AUDIO:  # also thumbnails a failed registration left
            for thumb in THUMBNAILS:
                self.blobs.delete(thumb.object_name(item.uid, item.media_id))
        self.media.delete(item.media_id)

    def _validate_and_store(self, item: MediaItem, tmp: Path) -> MediaItem:
        src = self.blobs.download_file(item.object_name, tmp / "upload")
        size = src.stat().st_size
        if size != item.size_bytes:
            raise InvalidMedia(
                f"{item.filename}: {size} bytes were uploaded, not the {item.size_bytes} declared"
            )
        kind = accepted(item.content_type)
        if kind.kind is MediaKindName.IMAGE:
            return self._store_photo(item, kind, src, tmp)
        return self._check_audio(item, kind, src, tmp)

    def _store_photo(self, item: MediaItem, kind: Accepted, src: Path, tmp: Path) -> MediaItem:
        limits = MediaLimits(
            max_photo_pixels=self.limits.max_image_pixels, max_file_bytes=item.size_bytes
        )
        edge = self.limits.stored_image_edge
        try:
            info = ingest_photo(src, tmp / "out", box=(edge, edge), fit=Fit.BLUR, limits=limits)
        except (OSError, SyntaxError, ValueError) as exc:
            # Pillow fails this way on a header cut short, before ingest's own checks run.
            raise InvalidMedia(f"{item.filename}: the photo is damaged ({exc})") from exc
        with Image.open(src) as original:  # safe now: ingest_photo accepted it
            found = original.format or "unknown"
        if found not in kind.formats:
            raise InvalidMedia(f"{item.filename}: the file is {found}, not {item.content_type}")
        stored = Path(info.path)
        name = f"library/{item.uid}/{item.media_id}.jpg"
        thumbs = {}
        for thumb in THUMBNAILS:
            small = make_thumbnail(stored, thumb.edge, tmp / f"{thumb.folder}.jpg")
            thumbs[thumb.folder] = thumb.object_name(item.uid, item.media_id)
            self.blobs.upload_file(thumbs[thumb.folder], small, "image/jpeg")
        self.blobs.upload_file(name, stored, "image/jpeg")
        self.blobs.delete(item.object_name)
        return self.media.mark_ready(
            item,
            object_name=name,
            thumb_object_name=thumbs["thumbs"],
            preview_object_name=thumbs["previews"],
            content_type="image/jpeg",
            size_bytes=stored.stat().st_size,
            width=info.width,
            height=info.height,
        )

    def _check_audio(self, item: MediaItem, kind: Accepted, src: Path, tmp: Path) -> MediaItem:
        found = sniff_container(read_head(src))
        if found not in kind.formats:
            raise InvalidMedia(
                f"{item.filename}: the file is {found or 'not audio'}, not {item.content_type}"
            )
        declared = MediaLimits(max_file_bytes=item.size_bytes, max_audio_bytes=item.size_bytes)
        info = ingest_audio(src, tmp / "out", limits=declared)
        return self.media.mark_ready(item, duration_ms=info.duration_ms)
