"""A file in a user's media library: the Firestore document ``media/{media_id}``.

Timelines reference library files as ``media:<media_id>``; the object itself lives in the media
bucket under ``object_name``. Only ``ready`` items (validated server-side after upload) may be
used by a job, and only by their owner.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from shared.imagery.request import GenerateRequest
from shared.pipeline.messages import Route


class MediaKindName(StrEnum):
    IMAGE = "image"
    AUDIO = "audio"
    VIDEO = "video"


class MediaStatus(StrEnum):
    PENDING = "pending"  # a signed upload URL was issued; nothing validated yet
    READY = "ready"  # uploaded and validated: usable in timelines
    FAILED = "failed"  # an AI still or clip that could not be made (``error`` says why)


class Placement(BaseModel):
    """Where a pending AI item's latest attempt was sent and who took it (shared/imagery)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    route: Route
    # The topic prefix of the deployment that queued it: only that deployment's sweeper (which
    # knows its workers' heartbeats) may move it.
    deployment: str = ""
    attempt: int = Field(default=1, ge=1)
    queued_at: datetime
    worker_id: str | None = None
    started_at: datetime | None = None


class MediaItem(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    media_id: str = Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_-]+$")
    uid: str = Field(min_length=1, max_length=128)
    kind: MediaKindName
    status: MediaStatus = MediaStatus.PENDING
    object_name: str = Field(min_length=1, max_length=1024)
    # Photos only: small JPEGs of the stored image, for the editor's library and timeline.
    thumb_object_name: str = Field(default="", max_length=1024)
    preview_object_name: str = Field(default="", max_length=1024)
    content_type: str = Field(max_length=100)
    size_bytes: int = Field(ge=0)
    filename: str = Field(default="", max_length=255)
    width: int = 0
    height: int = 0
    duration_ms: int = 0
    # AI-made items (shared/imagery): what was asked, what made it, any fallback or failure.
    prompt: str = Field(default="", max_length=2000)
    made_by: str = Field(default="", max_length=200)
    warning: str = Field(default="", max_length=4000)
    error: str = Field(default="", max_length=4000)
    generation: GenerateRequest | None = None  # what to make, while pending
    placement: Placement | None = None  # where it is being made, while pending
    created_at: datetime

    @property
    def source(self) -> str:
        """How a timeline refers to this item."""
        return f"media:{self.media_id}"
