"""AI stills and clips into the media library: a pending item now, filled in by a worker.

request  (HTTP side)   check the source photo is the person's and ready -> pending item
fill     (a worker)    still chain / clip chain -> normalised by the renderer -> the library's
                       own validation and storing -> ready, with who made it and any warning;
                       or failed, with why (no link answered, or the result was refused)
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from shared.chains import ChainExhausted
from shared.errors import InvalidMedia, InvalidRequest, NotFound, RenderFailed
from shared.imagery.clip import ClipRequest, FetchUri, make_clip
from shared.imagery.models import ModelSource
from shared.imagery.motion import normalised
from shared.imagery.request import GenerateRequest
from shared.imagery.still import StillRequest, make_still
from shared.library.service import Library
from shared.pipeline.media_item import MediaItem, MediaKindName, MediaStatus, Placement
from shared.pipeline.messages import Route
from shared.settings import Settings
from shared.timeline.model import Quality
from shared.usage import Allowance, UsageMeter

log = logging.getLogger(__name__)


def _joined(*warnings: str | None) -> str:
    return "; ".join(w for w in warnings if w)


@dataclass(frozen=True)
class Generator:
    library: Library
    settings: Settings
    models: ModelSource | None  # this box's local models; None on a cloud worker
    quality: Quality = Quality.FINAL
    fetch_uri: FetchUri | None = None
    usage: UsageMeter | None = None  # the daily allowances of paid calls; None: not counted

    def request(
        self, uid: str, body: GenerateRequest, now: datetime, route: Route = Route.CLOUD
    ) -> MediaItem:
        """The pending item the work will fill in, its first attempt sent to ``route``.

        Raises:
            InvalidRequest: a source on an image request, or a source that is not a ready photo.
            NotFound: the source is not in the person's library.
        """
        if body.source is not None:
            if body.kind == "image":
                raise InvalidRequest("source: only a clip is made from a photo")
            self._source_photo(uid, body.source)
        placement = Placement(route=route, deployment=self.settings.topic_prefix, queued_at=now)
        return self.library.request_made(uid, body, placement, now)

    def fill(self, item: MediaItem, body: GenerateRequest, work_dir: Path) -> MediaItem:
        """Make the still or clip and store it in ``item`` (idempotent: a finished item is kept)."""
        if item.status is not MediaStatus.PENDING:
            return item
        try:
            if body.kind == "image":
                return self._fill_image(item, body, work_dir)
            return self._fill_clip(item, body, work_dir)
        except (InvalidMedia, InvalidRequest, NotFound, RenderFailed) as exc:
            # Permanent: the source photo went away, or the last link's render failed.
            return self.library.fail_made(item, exc.message)

    def _source_photo(self, uid: str, source: str) -> MediaItem:
        photo = self.library.media.get_for_user(source.removeprefix("media:"), uid)
        if photo.kind is not MediaKindName.IMAGE or photo.status is not MediaStatus.READY:
            raise InvalidRequest(f"source {source}: must be a ready photo of your library")
        return photo

    def _fill_image(self, item: MediaItem, body: GenerateRequest, work_dir: Path) -> MediaItem:
        made = make_still(
            StillRequest(body.prompt, body.aspect, work_dir), self.settings, self.models
        )
        if made.value is None:
            why = _joined(item.warning, made.warning) or "no still was made"
            return self.library.fail_made(item, why)
        return self.library.store_made_image(
            item, made.value.path, made.value.content_type, made.made_by,
            _joined(item.warning, made.warning),
        )  # fmt: skip

    def _fill_clip(self, item: MediaItem, body: GenerateRequest, work_dir: Path) -> MediaItem:
        still, still_warning = self._still_for_clip(item.uid, body, work_dir)
        still_warning = _joined(item.warning, still_warning) or None  # e.g. moved to the cloud
        request = ClipRequest(
            body.prompt, still, body.aspect, body.fps, body.duration_s, work_dir, self.quality
        )
        allowance = None
        if self.usage is not None:
            allowance = Allowance(self.usage, item.uid, "veo-seconds", "seconds of Veo video",
                                  self.settings.veo_seconds_per_day)  # fmt: skip
        try:
            made = make_clip(request, self.settings, self.models, self.fetch_uri, allowance)
        except ChainExhausted as exc:
            return self.library.fail_made(item, _joined(still_warning, exc.message))
        path, poster = made.value.path, made.value.poster
        try:
            if poster is None:
                done = normalised(
                    path, work_dir / "clip.mp4", max_ms=body.duration_s * 1000,
                    aspect=body.aspect, fps=body.fps, quality=self.quality,
                )  # fmt: skip
                path, poster = done.video_path, done.poster_path
        except (InvalidMedia, RenderFailed) as exc:
            why = f"clip: {made.made_by} made a clip that could not be used ({exc.message})"
            return self.library.fail_made(item, _joined(still_warning, made.warning, why))
        warning = _joined(still_warning, made.warning)
        return self.library.store_made_clip(item, path, poster, made.made_by, warning)

    def _still_for_clip(
        self, uid: str, body: GenerateRequest, work_dir: Path
    ) -> tuple[Path | None, str | None]:
        """The photo to animate: the source, or a still made for the prompt (or none)."""
        if body.source is not None:
            photo = self._source_photo(uid, body.source)
            dest = work_dir / f"source{Path(photo.object_name).suffix}"
            return self.library.blobs.download_file(photo.object_name, dest), None
        made = make_still(
            StillRequest(body.prompt, body.aspect, work_dir), self.settings, self.models
        )
        return (made.value.path if made.value else None), made.warning
