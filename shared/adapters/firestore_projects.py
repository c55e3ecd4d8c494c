"""Drafts on Firestore: one document per draft in ``projects/{project_id}``.

Backend only (firestore.rules gives clients no access: the API checks ownership and validates
every save). The draft is kept as compact JSON text, so the editor gets back exactly what it
saved (Firestore cannot hold nested arrays), beside the few fields the list needs. A save is a
transaction that re-reads the revision, so of two browsers saving the same revision one wins
and the other gets Conflict.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from google.api_core import exceptions as gexc
from google.cloud import firestore
from google.cloud.firestore_v1 import FieldFilter

from shared.adapters.firestore_jobs import firestore_errors
from shared.errors import Conflict, NotFound
from shared.projects.model import Draft, DraftFacts, Project, ProjectSummary

COLLECTION = "projects"
_SUMMARY_FIELDS = ["project_id", "name", "updated_at", "revision", "clip_count", "duration_ms"]


def draft_json(draft: Draft) -> str:
    return json.dumps(draft.model_dump(mode="json"), separators=(",", ":"), ensure_ascii=False)


def _to_doc(project: Project, facts: DraftFacts) -> dict[str, Any]:
    return {
        **project.model_dump(exclude={"draft"}),  # datetimes stay Firestore timestamps
        "draft_json": draft_json(project.draft),
        "clip_count": facts.clip_count,
        "duration_ms": facts.duration_ms,
    }


def _from_doc(doc: dict[str, Any]) -> Project:
    fields = {key: doc[key] for key in Project.model_fields if key != "draft"}
    draft = Draft.model_validate_json(doc["draft_json"])
    return Project.model_validate({**fields, "draft": draft})


@firestore.transactional
def _save_in_transaction(
    transaction: firestore.Transaction,
    ref: firestore.DocumentReference,
    uid: str,
    change: Callable[[Project], Project],
    facts: DraftFacts,
) -> Project:
    snapshot = ref.get(transaction=transaction)
    if not snapshot.exists or snapshot.get("uid") != uid:
        raise NotFound(f"draft {ref.id} not found")  # another user's draft looks absent
    updated = change(_from_doc(snapshot.to_dict() or {}))
    transaction.set(ref, _to_doc(updated, facts))
    return updated


class FirestoreProjectStore:
    def __init__(self, db: firestore.Client, max_attempts: int = 5) -> None:
        self._db = db
        self._docs = db.collection(COLLECTION)
        self._max_attempts = max_attempts

    def create(self, project: Project) -> Project:
        """Store a new draft (its timeline is still empty)."""
        with firestore_errors(f"creating draft {project.project_id}"):
            try:
                self._docs.document(project.project_id).create(_to_doc(project, DraftFacts()))
            except gexc.AlreadyExists:
                raise Conflict(f"draft {project.project_id} already exists") from None
        return project

    def get_for_user(self, project_id: str, uid: str) -> Project:
        with firestore_errors(f"reading draft {project_id}"):
            snapshot = self._docs.document(project_id).get()
        if not snapshot.exists or snapshot.get("uid") != uid:
            raise NotFound(f"draft {project_id} not found")
        return _from_doc(snapshot.to_dict() or {})

    def list_for_user(self, uid: str, limit: int) -> list[ProjectSummary]:
        """The user's drafts, last saved first, without their bodies (production index:
        uid ASC, updated_at DESC)."""
        query = (
            self._docs.where(filter=FieldFilter("uid", "==", uid))
            .order_by("updated_at", direction=firestore.Query.DESCENDING)
            .select(_SUMMARY_FIELDS)
            .limit(limit)
        )
        with firestore_errors(f"listing drafts of {uid}"):
            return [ProjectSummary.model_validate(doc.to_dict()) for doc in query.stream()]

    def save(
        self, project_id: str, uid: str, change: Callable[[Project], Project], facts: DraftFacts
    ) -> Project:
        """Apply ``change`` to the stored draft in one transaction; NotFound for another user's."""
        transaction = self._db.transaction(max_attempts=self._max_attempts)
        with firestore_errors(f"saving draft {project_id}"):
            project: Project = _save_in_transaction(
                transaction, self._docs.document(project_id), uid, change, facts
            )
        return project

    def delete_for_user(self, project_id: str, uid: str) -> None:
        self.get_for_user(project_id, uid)
        with firestore_errors(f"deleting draft {project_id}"):
            self._docs.document(project_id).delete()
