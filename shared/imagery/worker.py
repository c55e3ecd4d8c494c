"""The worker side of a generation: one GenerateMedia message fills in one pending item.

Idempotent: an item that is gone (deleted meanwhile) or no longer pending is left alone, so a
redelivered message does nothing. Firestore / GCS trouble is transient and raises (nack: the
message comes back); everything else ends with the item ready or failed, with why.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from shared.adapters.firestore_media import FirestoreMediaLibrary
from shared.clock import utc_now
from shared.errors import Conflict, NotFound
from shared.imagery.attempts import claim
from shared.imagery.models import ModelSource
from shared.imagery.service import Generator
from shared.library.service import Library
from shared.pipeline.media_item import MediaStatus
from shared.pipeline.messages import GenerateMedia
from shared.pipeline.ports import PipelineServices
from shared.timeline.model import Quality

log = logging.getLogger(__name__)


class GenerationWorker:
    def __init__(
        self,
        generator: Generator,
        work_dir: Path,
        worker_id: str,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self._generator = generator
        self._work_dir = work_dir
        self._worker_id = worker_id  # recorded on the item: the sweeper watches its heartbeat
        self._clock = clock

    def __call__(self, message: GenerateMedia) -> None:
        library = self._generator.library
        try:
            item = library.media.get_for_user(message.media_id, message.uid)
        except NotFound:
            log.info("generation for a deleted item dropped", extra={"media_id": message.media_id})
            return
        body = item.generation
        if item.status is not MediaStatus.PENDING or body is None:
            return
        try:
            item = library.media.change(
                item.media_id,
                lambda i: claim(i, message.attempt, self._worker_id, self._clock()),
            )
        except Conflict as exc:  # made meanwhile, or moved on to a newer attempt
            log.info("stale generation dropped: %s", exc.message)
            return
        except NotFound:
            return
        self._work_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix="generate-", dir=self._work_dir) as tmp:
            done = self._generator.fill(item, body, Path(tmp))
        log.info(
            "generation settled",
            extra={"media_id": item.media_id, "status": done.status.value, "made_by": done.made_by},
        )


def generation_worker(
    ports: PipelineServices,
    models: ModelSource | None,
    worker_id: str,
    quality: Quality = Quality.FINAL,
) -> GenerationWorker | None:
    """Built from the pipeline's ports: the library on Firestore and the media bucket (None,
    AI generation off, where the pipeline runs on in-memory fakes)."""
    if not isinstance(ports.media, FirestoreMediaLibrary):
        log.warning("AI generation off: the media library is not on Firestore")
        return None
    library = Library(ports.media, ports.media_files)
    return GenerationWorker(
        Generator(library, ports.settings, models, quality, usage=ports.usage),
        ports.settings.work_dir,
        worker_id,
        ports.clock,
    )
