"""What a person asks the library to make: a still ("image") or a clip, in the project's format.

Stored on the pending media item (``generation``), so the task message carries ids only.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.plain_text import OneLine
from shared.timeline.model import Aspect


class GenerateRequest(BaseModel):
    """``POST /api/media/generate``: a still ("image") or a clip, in the project's format."""

    # Numbers must be JSON numbers; enums also read back from the stored document's strings.
    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: Literal["image", "clip"]
    prompt: OneLine = Field(min_length=1, max_length=2000)
    source: str | None = Field(default=None, pattern=r"^media:[A-Za-z0-9_-]{1,128}$")
    duration_s: int = Field(default=4, ge=1, le=10, strict=True)
    aspect: Aspect = Aspect.LANDSCAPE
    fps: Literal[24, 25, 30] = 30
