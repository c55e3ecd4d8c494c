"""The tasks of a render split across workers (shared/render/run/distributed.py does the work).

Where each one's result lives in the renders bucket:
    mix        work/{job_id}/mix-{hash of the audio tracks and length}.wav
    segment    segments/{uid}/{content key}.mp4: stored only whole and checked, and named by
               what decides its pixels, so any job of the owner's whose segment has the same key
               (a re-render after an edit) is answered from it without rendering
    render     renders/ or previews/{job_id}/render-{attempt}.mp4 + .jpg, then .json (as a
               one-task render)
"""

from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path

from shared.errors import InvalidRequest
from shared.pipeline import taskgraph as tg
from shared.pipeline.executors import Delivery, RemoteFetch, TaskContext, made_timeline
from shared.pipeline.ports import MediaLibrary
from shared.ports import BlobStore
from shared.render.media.media_resolver import MediaResolver
from shared.render.run.distributed import (
    join,
    prepare_segment,
    render_mix,
    render_segment,
    segment_encoder,
)
from shared.render.service import scaled
from shared.timeline.model import Timeline

log = logging.getLogger(__name__)


def _object(uri: str, renders: BlobStore) -> str:
    prefix = f"gs://{renders.bucket}/"
    if not uri.startswith(prefix):
        raise InvalidRequest(f"{uri}: not an object of the renders bucket")
    return uri.removeprefix(prefix)


class _Fetching:
    def __init__(self, renders: BlobStore, media_files: BlobStore, media: MediaLibrary) -> None:
        self._renders = renders
        self._media_files = media_files
        self._media = media

    def _resolver(self, ctx: TaskContext) -> MediaResolver:
        fetch = RemoteFetch(ctx.job.uid, self._renders, self._media_files, self._media)
        return MediaResolver(fetch=fetch)


class MixExecutor(_Fetching):
    """The whole programme's audio, mixed and normalised once."""

    def _name(self, ctx: TaskContext, timeline: Timeline) -> str:
        facts = {
            "voice": timeline.voice.model_dump(mode="json") if timeline.voice else None,
            "music": timeline.music.model_dump(mode="json") if timeline.music else None,
            "ms": timeline.duration_ms,
            "loudness": timeline.loudness.model_dump(mode="json"),
        }
        key = hashlib.sha256(json.dumps(facts, sort_keys=True).encode()).hexdigest()[:16]
        return f"work/{ctx.job.job_id}/mix-{key}.wav"

    def existing(self, ctx: TaskContext) -> dict[str, str] | None:
        name = self._name(ctx, made_timeline(ctx, self._renders))
        return (
            {"uri": f"gs://{self._renders.bucket}/{name}"} if self._renders.exists(name) else None
        )

    def run(self, ctx: TaskContext) -> dict[str, str]:
        timeline = made_timeline(ctx, self._renders)
        ctx.progress(0.0, "Mixing the audio")
        out = ctx.work_dir / "mix.wav"
        render_mix(
            timeline, self._resolver(ctx), out, progress=ctx.progress, cancel=ctx.cancel,
            work_dir=ctx.work_dir,
        )  # fmt: skip
        return {"uri": self._renders.upload_file(self._name(ctx, timeline), out, "audio/wav")}

    def discard(self, ctx: TaskContext) -> None:
        """Content-keyed and shared by every attempt: kept."""


class SegmentExecutor(_Fetching):
    """One part of the picture: its media only, then its frames, uploaded under its key."""

    def __init__(
        self,
        renders: BlobStore,
        media_files: BlobStore,
        media: MediaLibrary,
        encoder_threads: int = 0,
    ) -> None:
        super().__init__(renders, media_files, media)
        self._threads = encoder_threads

    def existing(self, ctx: TaskContext) -> dict[str, str] | None:
        """Known only once its media is here (the key hashes it): ``run`` looks."""
        return None

    def run(self, ctx: TaskContext) -> dict[str, str]:
        task = ctx.pipeline.task(ctx.task)
        if task.frames is None:
            raise InvalidRequest(f"task {ctx.task} of job {ctx.job.job_id} has no frame range")
        timeline = made_timeline(ctx, self._renders)
        encoder = segment_encoder(timeline, self._threads)
        index = tg.segments(ctx.pipeline).index(task)
        count = len(tg.segments(ctx.pipeline))
        ctx.progress(0.0, f"Preparing segment {index + 1} of {count}")
        prepared = prepare_segment(
            timeline, index, task.frames, self._resolver(ctx), ctx.work_dir, encoder,
            progress=scaled(ctx.progress, 0, 10), cancel=ctx.cancel,
        )  # fmt: skip
        name = f"segments/{ctx.job.uid}/{prepared.segment.key}.mp4"
        result = {
            "uri": f"gs://{self._renders.bucket}/{name}",
            "key": prepared.segment.key,
            "frames": str(prepared.segment.frame_count),
        }
        result |= {f"warning-{i}": text for i, text in enumerate(prepared.warnings)}
        if self._renders.exists(name):
            log.info("segment re-used", extra={"segment": index, "key": prepared.segment.key})
            ctx.progress(100.0, f"Segment {index + 1} of {count} re-used")
            return result | {"reused": "true"}
        out = render_segment(
            timeline, prepared, encoder, ctx.work_dir / "segment.mp4",
            progress=scaled(ctx.progress, 10, 98), cancel=ctx.cancel, work_dir=ctx.work_dir,
        )  # fmt: skip
        self._renders.upload_file(name, out, "video/mp4")
        ctx.progress(100.0, f"Segment {index + 1} of {count} rendered")
        return result | {"reused": "false"}

    def discard(self, ctx: TaskContext) -> None:
        """Content-keyed and shared by every job of the owner's: kept (the bucket's lifecycle
        rule removes old ones)."""


class JoinExecutor(_Fetching):
    """The segments, in order, and the mix: the delivered video (no re-encode)."""

    def __init__(self, renders: BlobStore, media_files: BlobStore, media: MediaLibrary) -> None:
        super().__init__(renders, media_files, media)
        self._delivery = Delivery(renders)

    def existing(self, ctx: TaskContext) -> dict[str, str] | None:
        return self._delivery.existing(ctx)

    def run(self, ctx: TaskContext) -> dict[str, str]:
        timeline = made_timeline(ctx, self._renders)
        parts = tg.segments(ctx.pipeline)
        folder = ctx.work_dir / "segments"
        folder.mkdir()
        paths: list[Path] = []
        for n, part in enumerate(parts):
            ctx.progress(n / len(parts) * 40, f"Fetching segment {n + 1} of {len(parts)}")
            name = _object(part.result["uri"], self._renders)
            paths.append(self._renders.download_file(name, folder / f"{n:04d}.mp4"))
        mix_uri = ctx.pipeline.task(tg.MIX).result["uri"]
        mix = self._renders.download_file(_object(mix_uri, self._renders), ctx.work_dir / "mix.wav")
        frames = sum(int(p.result["frames"]) for p in parts)
        done = join(
            timeline, paths, frames, mix, ctx.work_dir / "render.mp4", warnings=[],
            progress=scaled(ctx.progress, 40, 100), cancel=ctx.cancel, work_dir=ctx.work_dir,
        )  # fmt: skip
        return self._delivery.deliver(ctx, done)

    def discard(self, ctx: TaskContext) -> None:
        self._delivery.discard(ctx)
