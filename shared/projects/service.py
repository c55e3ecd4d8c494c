"""Draft use cases: create, list, read, save (revision-checked), delete, as the signed-in user.

A saved timeline is validated like a submitted one (shared.timeline) and may name only the
caller's own ready media, so a draft can never point at another user's files.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime

from shared.adapters.firestore_media import FirestoreMediaLibrary
from shared.adapters.firestore_projects import FirestoreProjectStore, draft_json
from shared.errors import Conflict, PayloadTooLarge
from shared.library.sources import check_sources
from shared.projects.model import Draft, DraftFacts, Project, ProjectSummary, new_project, saved
from shared.timeline import parse_timeline

log = logging.getLogger(__name__)

MAX_PROJECTS = 200
# A Firestore document holds at most 1 MiB; the rest of the document is small.
MAX_STORED_DRAFT_BYTES = 1_000_000


@dataclass(frozen=True)
class Projects:
    store: FirestoreProjectStore
    media: FirestoreMediaLibrary
    max_projects: int = MAX_PROJECTS

    def create(self, uid: str, name: str, now: datetime) -> Project:
        if len(self.store.list_for_user(uid, self.max_projects)) >= self.max_projects:
            raise Conflict(f"you have {self.max_projects} drafts; delete some first")
        project = self.store.create(new_project(uuid.uuid4().hex, uid, name, now))
        log.info("draft created", extra={"uid": uid, "project_id": project.project_id})
        return project

    def list_projects(self, uid: str) -> list[ProjectSummary]:
        return self.store.list_for_user(uid, self.max_projects)

    def get(self, uid: str, project_id: str) -> Project:
        return self.store.get_for_user(project_id, uid)

    def save(
        self, uid: str, project_id: str, read_revision: int, draft: Draft, now: datetime
    ) -> Project:
        """The draft as its next revision; Conflict if another save came first."""
        facts = self._check(uid, draft)
        project = self.store.save(
            project_id, uid, lambda current: saved(current, read_revision, draft, now), facts
        )
        log.info(
            "draft saved",
            extra={"uid": uid, "project_id": project_id, "revision": project.revision},
        )
        return project

    def delete(self, uid: str, project_id: str) -> None:
        self.store.delete_for_user(project_id, uid)
        log.info("draft deleted", extra={"uid": uid, "project_id": project_id})

    def _check(self, uid: str, draft: Draft) -> DraftFacts:
        size = len(draft_json(draft).encode())
        if size > MAX_STORED_DRAFT_BYTES:
            raise PayloadTooLarge(
                f"this draft is {size} bytes; a saved draft may have at most "
                f"{MAX_STORED_DRAFT_BYTES}"
            )
        if draft.timeline is None:
            return DraftFacts()
        timeline = parse_timeline(draft.timeline)
        check_sources(timeline, uid, self.media)
        return DraftFacts.of(timeline)
