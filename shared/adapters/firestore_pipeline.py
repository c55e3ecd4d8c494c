"""PipelineStore on Firestore: one document per job's task graph in ``pipelines/{job_id}``.

Backend only (firestore.rules gives clients no access). Every change is a read-change-write
transaction, so the orchestrator, the workers' claims and the sweeper never overwrite each other;
the pure functions in shared.pipeline.taskgraph decide what a change may do.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from google.api_core import exceptions as gexc
from google.cloud import firestore
from google.cloud.firestore_v1 import FieldFilter

from shared.adapters.firestore_jobs import firestore_errors, transact
from shared.errors import NotFound
from shared.pipeline.taskgraph import Pipeline

log = logging.getLogger(__name__)

COLLECTION = "pipelines"


DEPLOYMENT = "deployment"  # the topic prefix: whose sweeper looks after this graph


def _to_doc(pipeline: Pipeline, deployment: str) -> dict[str, Any]:
    return {**pipeline.model_dump(mode="json"), DEPLOYMENT: deployment}


def _from_doc(doc: dict[str, Any] | None) -> Pipeline:
    fields = dict(doc or {})
    fields.pop(DEPLOYMENT, None)
    return Pipeline.model_validate(fields)


@firestore.transactional
def _change_in_transaction(
    transaction: firestore.Transaction,
    ref: firestore.DocumentReference,
    change: Callable[[Pipeline], Pipeline],
    deployment: str,
) -> Pipeline:
    snapshot = ref.get(transaction=transaction)
    if not snapshot.exists:
        raise NotFound(f"task graph of job {ref.id} not found")
    pipeline = _from_doc(snapshot.to_dict())
    updated = change(pipeline)
    if updated is not pipeline:  # the pure functions return the same object for a no-op
        transaction.set(ref, _to_doc(updated, deployment))
    return updated


class FirestorePipelineStore:
    def __init__(self, db: firestore.Client, deployment: str = "", max_attempts: int = 10) -> None:
        self._db = db
        self._deployment = deployment
        self._docs = db.collection(COLLECTION)
        self._max_attempts = max_attempts

    def create(self, pipeline: Pipeline) -> Pipeline:
        with firestore_errors(f"creating the task graph of job {pipeline.job_id}"):
            try:
                self._docs.document(pipeline.job_id).create(_to_doc(pipeline, self._deployment))
            except gexc.AlreadyExists:
                return self.get(pipeline.job_id)
        return pipeline

    def get(self, job_id: str) -> Pipeline:
        with firestore_errors(f"reading the task graph of job {job_id}"):
            snapshot = self._docs.document(job_id).get()
        if not snapshot.exists:
            raise NotFound(f"task graph of job {job_id} not found")
        return _from_doc(snapshot.to_dict())

    def change(self, job_id: str, change: Callable[[Pipeline], Pipeline]) -> Pipeline:
        ref = self._docs.document(job_id)
        updated: Pipeline = transact(
            self._db, self._max_attempts, f"changing the task graph of job {job_id}",
            lambda t: _change_in_transaction(t, ref, change, self._deployment),
        )  # fmt: skip
        return updated

    def delete(self, job_id: str) -> None:
        with firestore_errors(f"deleting the task graph of job {job_id}"):
            self._docs.document(job_id).delete()

    def live(self) -> list[Pipeline]:
        query = self._docs.where(filter=FieldFilter("live", "==", True)).where(
            filter=FieldFilter(DEPLOYMENT, "==", self._deployment)
        )
        with firestore_errors("listing live task graphs"):
            return [_from_doc(doc.to_dict()) for doc in query.stream()]
