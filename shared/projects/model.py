"""The draft model (pure): what the editor saves, the stored project around it, and the one
rule that keeps two browsers from overwriting each other (a save names the revision it read)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from shared.errors import Conflict
from shared.plain_text import Lines, OneLine
from shared.timeline.model import MAX_SCRIPT_CHARS, Timeline

VOICE_ID = r"^[A-Za-z0-9_:.-]+$"


class DraftMusic(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    prompt: Lines = Field(default="", max_length=500)
    volume: float = Field(default=1.0, ge=0.0, le=4.0)
    duck: bool = True
    snap_cuts: bool = False


class Draft(BaseModel):
    """The editor's state as saved; ``timeline`` is null while it has no clips."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    name: OneLine = Field(default="", max_length=200)
    brand_name: OneLine = Field(default="", max_length=200)
    timeline: dict[str, Any] | None = None
    script: Lines = Field(default="", max_length=MAX_SCRIPT_CHARS)
    voice_id: str | None = Field(default=None, max_length=100, pattern=VOICE_ID)
    music: DraftMusic = DraftMusic()


class Project(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    project_id: str = Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_-]+$")
    uid: str = Field(min_length=1, max_length=128)
    name: str
    revision: int = Field(ge=1)
    created_at: datetime
    updated_at: datetime
    draft: Draft


class ProjectSummary(BaseModel):
    """One row of the user's list of drafts (no draft body)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    project_id: str
    name: str
    updated_at: datetime
    revision: int
    clip_count: int
    duration_ms: int


@dataclass(frozen=True)
class DraftFacts:
    """What the list shows about a draft's timeline, computed once when it is saved."""

    clip_count: int = 0
    duration_ms: int = 0

    @classmethod
    def of(cls, timeline: Timeline | None) -> DraftFacts:
        if timeline is None:
            return cls()
        return cls(clip_count=len(timeline.video), duration_ms=timeline.duration_ms)


def new_project(project_id: str, uid: str, name: str, now: datetime) -> Project:
    return Project(
        project_id=project_id, uid=uid, name=name, revision=1, created_at=now, updated_at=now,
        draft=Draft(name=name),
    )  # fmt: skip


def saved(project: Project, read_revision: int, draft: Draft, now: datetime) -> Project:
    """``project`` with ``draft`` as its next revision; Conflict if it changed since it was read."""
    if read_revision != project.revision:
        raise Conflict(f"this draft was changed elsewhere (revision {project.revision}); reload it")
    return project.model_copy(
        update={"draft": draft, "name": draft.name, "revision": project.revision + 1,
                "updated_at": now}
    )  # fmt: skip
