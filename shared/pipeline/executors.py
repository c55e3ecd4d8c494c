"""What each task kind does, given its job: voice, music (offline links) and render.

Results are objects in the renders bucket with deterministic names, so a redelivered task whose
result exists is answered from it without redoing the work:
    voice, music   work/{job_id}/voice-{hash of the script}.wav, work/{job_id}/music-{ms}.wav
    render         renders/{job_id}/render-{attempt}.mp4 + .jpg, then .json (the manifest, last:
                   its presence means the attempt's outputs are complete)
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from shared.errors import Cancelled, InvalidMedia, InvalidRequest, NotFound
from shared.jobs import Job
from shared.pipeline import offline_audio
from shared.pipeline.media_item import MediaStatus
from shared.pipeline.ports import MediaLibrary
from shared.pipeline.taskgraph import MUSIC, VOICE, Pipeline
from shared.ports import BlobStore
from shared.render.media_resolver import MediaResolver
from shared.render.service import render_timeline
from shared.timeline.model import MusicTrack, Timeline, VoiceTrack

log = logging.getLogger(__name__)

Report = Callable[[float, str], None]


@dataclass(frozen=True)
class TaskContext:
    job: Job
    pipeline: Pipeline
    task: str
    attempt: int
    work_dir: Path  # private to this attempt; removed afterwards
    progress: Report
    cancel: threading.Event


class Executor(Protocol):
    def existing(self, ctx: TaskContext) -> dict[str, str] | None:
        """The result of this attempt if it is already stored, else None."""
        ...

    def run(self, ctx: TaskContext) -> dict[str, str]: ...

    def discard(self, ctx: TaskContext) -> None:
        """Delete what this attempt stored (cancelled, or routed elsewhere meanwhile)."""
        ...


def _gs_name(uri: str, bucket: str) -> str | None:
    prefix = f"gs://{bucket}/"
    return uri[len(prefix) :] if uri.startswith(prefix) else None


def timeline_of(job: Job) -> Timeline:
    if job.timeline is None:
        raise InvalidRequest(f"job {job.job_id} has no timeline")
    return Timeline.model_validate(job.timeline)


class VoiceExecutor:
    def __init__(self, renders: BlobStore) -> None:
        self._renders = renders

    def _name(self, ctx: TaskContext) -> str:
        digest = hashlib.sha256((ctx.pipeline.script or "").encode()).hexdigest()[:16]
        return f"work/{ctx.job.job_id}/voice-{digest}.wav"

    def _result(self, uri: str, made_by: str) -> dict[str, str]:
        return {"uri": uri, "warning": f"voice: no AI voice yet; made offline with {made_by}"}

    def existing(self, ctx: TaskContext) -> dict[str, str] | None:
        name = self._name(ctx)
        if not self._renders.exists(name):
            return None
        return self._result(f"gs://{self._renders.bucket}/{name}", _voice_engine())

    def run(self, ctx: TaskContext) -> dict[str, str]:
        script = ctx.pipeline.script or ""
        ctx.progress(0.0, "Making the voice")
        path = ctx.work_dir / "voice.wav"
        limit_s = timeline_of(ctx.job).duration_ms / 1000
        made_by = offline_audio.make_voice(script, path, max_s=limit_s)
        uri = self._renders.upload_file(self._name(ctx), path, "audio/wav")
        ctx.progress(100.0, "Voice ready")
        return self._result(uri, made_by)

    def discard(self, ctx: TaskContext) -> None:
        """Content-keyed and shared by every attempt: kept."""


def _voice_engine() -> str:
    return "espeak-ng" if shutil.which("espeak-ng") else (
        "a synthetic speech-like signal (espeak-ng is not installed)"
    )  # fmt: skip


class MusicExecutor:
    WARNING = "music: no AI music yet; a procedural music bed was made offline"

    def __init__(self, renders: BlobStore) -> None:
        self._renders = renders

    def _name(self, ctx: TaskContext) -> str:
        return f"work/{ctx.job.job_id}/music-{timeline_of(ctx.job).duration_ms}.wav"

    def existing(self, ctx: TaskContext) -> dict[str, str] | None:
        name = self._name(ctx)
        if not self._renders.exists(name):
            return None
        return {"uri": f"gs://{self._renders.bucket}/{name}", "warning": self.WARNING}

    def run(self, ctx: TaskContext) -> dict[str, str]:
        ctx.progress(0.0, "Making the music")
        seconds = timeline_of(ctx.job).duration_ms / 1000
        path = offline_audio.write_wav(
            ctx.work_dir / "music.wav", offline_audio.procedural_music(seconds)
        )
        uri = self._renders.upload_file(self._name(ctx), path, "audio/wav")
        ctx.progress(100.0, "Music ready")
        return {"uri": uri, "warning": self.WARNING}

    def discard(self, ctx: TaskContext) -> None:
        """Content-keyed and shared by every attempt: kept."""


class RemoteFetch:
    """Downloads ``gs://`` objects of our buckets and the job owner's ready library items."""

    def __init__(self, uid: str, renders: BlobStore, media_files: BlobStore, media: MediaLibrary):
        self._uid = uid
        self._stores = {renders.bucket: renders, media_files.bucket: media_files}
        self._media_files = media_files
        self._media = media

    def __call__(self, source: str, dest_dir: Path) -> Path:
        digest = hashlib.sha256(source.encode()).hexdigest()[:16]
        if source.startswith("media:"):
            try:
                item = self._media.get_for_user(source.removeprefix("media:"), self._uid)
            except NotFound:
                raise NotFound(f"{source}: not found in the job owner's media library") from None
            if item.status is not MediaStatus.READY:
                raise InvalidMedia(f"{source}: the upload was not validated yet (not ready)")
            return self._media_files.download_file(item.object_name, dest_dir / digest)
        bucket, _, name = source.removeprefix("gs://").partition("/")
        store = self._stores.get(bucket)
        if store is None:
            raise InvalidRequest(f"{source}: only this project's buckets may be read")
        return store.download_file(name, dest_dir / digest)


class RenderExecutor:
    def __init__(self, renders: BlobStore, media_files: BlobStore, media: MediaLibrary) -> None:
        self._renders = renders
        self._media_files = media_files
        self._media = media

    def _names(self, ctx: TaskContext) -> dict[str, str]:
        stem = f"renders/{ctx.job.job_id}/render-{ctx.attempt}"
        return {"video": f"{stem}.mp4", "poster": f"{stem}.jpg", "manifest": f"{stem}.json"}

    def existing(self, ctx: TaskContext) -> dict[str, str] | None:
        name = self._names(ctx)["manifest"]
        if not self._renders.exists(name):
            return None
        path = self._renders.download_file(name, ctx.work_dir / "manifest.json")
        result: dict[str, str] = json.loads(path.read_text())
        return result

    def run(self, ctx: TaskContext) -> dict[str, str]:
        timeline = self._with_made_tracks(timeline_of(ctx.job), ctx.pipeline)
        fetch = RemoteFetch(ctx.job.uid, self._renders, self._media_files, self._media)
        out = ctx.work_dir / "render.mp4"
        done = render_timeline(
            timeline, MediaResolver(fetch=fetch), out, progress=ctx.progress, cancel=ctx.cancel,
            work_dir=ctx.work_dir,
        )  # fmt: skip
        names = self._names(ctx)
        result = {
            "video_uri": self._renders.upload_file(names["video"], done.video_path, "video/mp4"),
            "poster_uri": self._renders.upload_file(
                names["poster"], done.poster_path, "image/jpeg"
            ),
            "size_bytes": str(done.size_bytes),
            "duration_ms": str(done.duration_ms),
            "loudness_lufs": "" if done.loudness_lufs is None else f"{done.loudness_lufs:.2f}",
            "encoder": done.encoder,
            "manifest_uri": f"gs://{self._renders.bucket}/{names['manifest']}",
        }
        result |= {f"warning-{i}": text for i, text in enumerate(done.warnings)}
        if ctx.cancel.is_set():  # cancelled while uploading: leave nothing behind
            self.discard(ctx)
            raise Cancelled("render: cancelled after it finished")
        self._renders.upload_bytes(
            names["manifest"], json.dumps(result).encode(), "application/json"
        )
        return result

    def discard(self, ctx: TaskContext) -> None:
        for name in self._names(ctx).values():
            self._renders.delete(name)

    @staticmethod
    def _with_made_tracks(timeline: Timeline, pipeline: Pipeline) -> Timeline:
        """The timeline with the voice and music the pipeline made for it."""
        made = {t.name: t.result.get("uri") for t in pipeline.tasks if t.name in (VOICE, MUSIC)}
        changes: dict[str, object] = {}
        if made.get(VOICE):
            changes["voice"] = VoiceTrack(source=made[VOICE], script=pipeline.script)
        if made.get(MUSIC):
            changes["music"] = MusicTrack(source=made[MUSIC])
        return timeline.model_copy(update=changes) if changes else timeline
