"""What each task kind does, given its job: script and voice (their chains), music and render.

Results are objects in the renders bucket with deterministic names, so a redelivered task whose
result exists is answered from it without redoing the work (and never pays for a call twice):
    script         work/{job_id}/script-{hash of the brief}.json (the script chain's answer)
    voice          work/{job_id}/voice-{hash of voice id + script}.wav, then .json (word timings,
                   who spoke, the chain's warning; last: its presence means the voice is complete)
    music          work/{job_id}/music-{hash of prompt + tempo + ms}.wav, then .json (who made
                   it, the chain's warning; last: its presence means the music is complete)
    render         renders/{job_id}/render-{attempt}.mp4 + .jpg, then .json (the manifest, last:
                   its presence means the attempt's outputs are complete); a preview-quality
                   render under previews/{job_id}/ (deleted after a while)
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from shared.errors import Cancelled, InvalidMedia, InvalidRequest, NotFound
from shared.imagery.models import ModelSource
from shared.jobs import RENDER_FOLDERS, Job
from shared.music.brief import read_brief
from shared.music.chain import MusicRequest, make_music
from shared.pipeline.made_tracks import MusicOptions, VoiceOptions
from shared.pipeline.media_item import MediaStatus
from shared.pipeline.ports import MediaLibrary
from shared.pipeline.taskgraph import MUSIC, VOICE, Pipeline
from shared.ports import BlobStore
from shared.render.media.media_resolver import MediaResolver
from shared.render.service import RenderResult, render_timeline
from shared.scripts.links import script_links
from shared.scripts.service import WrittenScript, write_script
from shared.settings import Settings
from shared.timeline.model import Ducking, MusicTrack, Timeline, VoiceTrack, WordTiming
from shared.usage import Allowance, UsageMeter
from shared.voice import chain as voice_chain
from shared.voice.spoken import write_voice_file

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


class ScriptExecutor:
    """The script chain writes the voiceover from the job's brief. The answer (script, title,
    call to action, warnings) is stored first and put in the task's result, where the voice task
    reads the script; each warning becomes one of the job's."""

    def __init__(self, renders: BlobStore, settings: Settings) -> None:
        self._renders = renders
        self._settings = settings

    def _name(self, ctx: TaskContext) -> str:
        brief = ctx.pipeline.brief
        if brief is None:
            raise InvalidRequest(f"job {ctx.job.job_id} has a script task but no brief")
        key = hashlib.sha256(brief.model_dump_json().encode()).hexdigest()[:16]
        return f"work/{ctx.job.job_id}/script-{key}.json"

    def _result(self, written: WrittenScript) -> dict[str, str]:
        warnings = {f"warning-{n}": text for n, text in enumerate(written.warnings)}
        return {"script": written.script, "title": written.title,
                "call_to_action": written.call_to_action, "made_by": written.made_by,
                **warnings}  # fmt: skip

    def existing(self, ctx: TaskContext) -> dict[str, str] | None:
        name = self._name(ctx)
        if not self._renders.exists(name):
            return None
        path = self._renders.download_file(name, ctx.work_dir / "script.json")
        return self._result(WrittenScript.model_validate_json(path.read_text()))

    def run(self, ctx: TaskContext) -> dict[str, str]:
        assert ctx.pipeline.brief is not None  # _name() raised otherwise
        name = self._name(ctx)
        ctx.progress(0.0, "Writing the script")
        # No chain deadline here (unlike POST /api/scripts): no one waits on a task, and each
        # link's own timeout ends it.
        written = write_script(ctx.pipeline.brief, script_links(self._settings))
        self._renders.upload_bytes(name, written.model_dump_json().encode(), "application/json")
        ctx.progress(100.0, "Script ready")
        return self._result(written)

    def discard(self, ctx: TaskContext) -> None:
        """Content-keyed and shared by every attempt: kept."""


class VoiceExecutor:
    """The voice chain speaks the script; the timings JSON next to the WAV records the result.
    ElevenLabs' characters count against the job owner's daily allowance."""

    def __init__(self, renders: BlobStore, settings: Settings, usage: UsageMeter) -> None:
        self._renders = renders
        self._settings = settings
        self._usage = usage

    def _names(self, ctx: TaskContext) -> tuple[str, str]:
        voice_id = (ctx.pipeline.voice or VoiceOptions()).voice_id or ""
        key = f"{voice_id}\x00{ctx.pipeline.spoken_script or ''}"
        stem = f"work/{ctx.job.job_id}/voice-{hashlib.sha256(key.encode()).hexdigest()[:16]}"
        return f"{stem}.wav", f"{stem}.json"

    def _result(self, ctx: TaskContext, made_by: str, warning: str | None) -> dict[str, str]:
        wav, meta = (f"gs://{self._renders.bucket}/{name}" for name in self._names(ctx))
        result = {"uri": wav, "timings_uri": meta, "made_by": made_by}
        return result | ({"warning": warning} if warning else {})

    def existing(self, ctx: TaskContext) -> dict[str, str] | None:
        meta = self._names(ctx)[1]
        if not self._renders.exists(meta):
            return None
        path = self._renders.download_file(meta, ctx.work_dir / "voice.json")
        stored = json.loads(path.read_text())
        return self._result(ctx, stored["made_by"], stored["warning"])

    def run(self, ctx: TaskContext) -> dict[str, str]:
        options = ctx.pipeline.voice or VoiceOptions()
        ctx.progress(0.0, "Making the voice")
        script = ctx.pipeline.spoken_script or ""
        allowance = voice_chain.voice_allowance(self._usage, ctx.job.uid, self._settings)
        spoken = voice_chain.speak(script, options.voice_id, self._settings, allowance)
        path = ctx.work_dir / "voice.wav"
        timings = write_voice_file(spoken.value, path, max_ms=timeline_of(ctx.job).duration_ms)
        wav, meta = self._names(ctx)
        self._renders.upload_file(wav, path, "audio/wav")
        document = {
            "made_by": spoken.made_by,
            "warning": spoken.warning,
            "word_timings": [t.model_dump(mode="json") for t in timings],
        }
        self._renders.upload_bytes(meta, json.dumps(document).encode(), "application/json")
        ctx.progress(100.0, "Voice ready")
        return self._result(ctx, spoken.made_by, spoken.warning)

    def discard(self, ctx: TaskContext) -> None:
        """Content-keyed and shared by every attempt: kept."""


class MusicExecutor:
    """The music chain makes the bed, fitted to the timeline's length; the JSON next to the WAV
    records who made it and the chain's warning (last: its presence means the music is done)."""

    def __init__(
        self,
        renders: BlobStore,
        settings: Settings,
        models: ModelSource | None = None,
        usage: UsageMeter | None = None,
    ) -> None:
        self._renders = renders
        self._settings = settings
        self._models = models  # this GPU box's local models; None on a cloud worker
        self._usage = usage  # the daily allowance of AI music seconds; None: not counted

    @staticmethod
    def _request(ctx: TaskContext) -> MusicRequest:
        brief = read_brief((ctx.pipeline.music or MusicOptions()).prompt)
        return MusicRequest(brief, timeline_of(ctx.job).duration_ms, ctx.work_dir)

    def _names(self, ctx: TaskContext) -> tuple[str, str]:
        request = self._request(ctx)
        key = f"{request.brief.prompt}\x00{request.brief.bpm}\x00{request.duration_ms}"
        stem = f"work/{ctx.job.job_id}/music-{hashlib.sha256(key.encode()).hexdigest()[:16]}"
        return f"{stem}.wav", f"{stem}.json"

    def _result(self, ctx: TaskContext, made_by: str, warning: str | None) -> dict[str, str]:
        result = {"uri": f"gs://{self._renders.bucket}/{self._names(ctx)[0]}", "made_by": made_by}
        return result | ({"warning": warning} if warning else {})

    def existing(self, ctx: TaskContext) -> dict[str, str] | None:
        meta = self._names(ctx)[1]
        if not self._renders.exists(meta):
            return None
        stored = json.loads(
            self._renders.download_file(meta, ctx.work_dir / "music.json").read_text()
        )
        return self._result(ctx, stored["made_by"], stored["warning"])

    def run(self, ctx: TaskContext) -> dict[str, str]:
        ctx.progress(0.0, "Making the music")
        allowance = None
        if self._usage is not None:
            allowance = Allowance(
                self._usage, ctx.job.uid, "ai-music-seconds", "seconds of AI music",
                self._settings.ai_music_seconds_per_day,
            )  # fmt: skip
        made = make_music(self._request(ctx), self._settings, self._models, allowance)
        wav, meta = self._names(ctx)
        self._renders.upload_file(wav, made.value, "audio/wav")
        document = {"made_by": made.made_by, "warning": made.warning}
        self._renders.upload_bytes(meta, json.dumps(document).encode(), "application/json")
        ctx.progress(100.0, "Music ready")
        return self._result(ctx, made.made_by, made.warning)

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


def render_names(ctx: TaskContext) -> dict[str, str]:
    """The delivered video, poster and manifest of this attempt of the job's render."""
    folder = RENDER_FOLDERS[timeline_of(ctx.job).format.quality.value]
    stem = f"{folder}/{ctx.job.job_id}/render-{ctx.attempt}"
    return {"video": f"{stem}.mp4", "poster": f"{stem}.jpg", "manifest": f"{stem}.json"}


class Delivery:
    """The render's outputs under ``render_names``: the manifest last (its presence means the
    attempt's outputs are complete), so a redelivered attempt is answered from it."""

    def __init__(self, renders: BlobStore) -> None:
        self._renders = renders

    def existing(self, ctx: TaskContext) -> dict[str, str] | None:
        name = render_names(ctx)["manifest"]
        if not self._renders.exists(name):
            return None
        path = self._renders.download_file(name, ctx.work_dir / "manifest.json")
        result: dict[str, str] = json.loads(path.read_text())
        return result

    def deliver(self, ctx: TaskContext, done: RenderResult) -> dict[str, str]:
        names = render_names(ctx)
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
        for name in render_names(ctx).values():
            self._renders.delete(name)


def made_timeline(ctx: TaskContext, renders: BlobStore) -> Timeline:
    """The job's timeline with the voice (timed by its engine) and music the pipeline made for
    it, at the volumes (and ducking) the job asked for."""
    timeline, pipeline = timeline_of(ctx.job), ctx.pipeline
    made = {t.name: t.result.get("uri") for t in pipeline.tasks if t.name in (VOICE, MUSIC)}
    changes: dict[str, object] = {}
    if made.get(VOICE):
        voice = pipeline.voice or VoiceOptions()
        changes["voice"] = VoiceTrack(
            source=made[VOICE], script=pipeline.spoken_script, volume=voice.volume,
            word_timings=_made_voice_timings(ctx, renders) or None,
        )  # fmt: skip
    if made.get(MUSIC):
        music = pipeline.music or MusicOptions()
        changes["music"] = MusicTrack(
            source=made[MUSIC], volume=music.volume, duck=Ducking(enabled=music.duck)
        )
    return timeline.model_copy(update=changes) if changes else timeline


def _made_voice_timings(ctx: TaskContext, renders: BlobStore) -> tuple[WordTiming, ...] | None:
    """The word timings the voice task stored with the voice it made."""
    voice = ctx.pipeline.task(VOICE)
    name = _gs_name(voice.result.get("timings_uri", ""), renders.bucket)
    if name is None:
        return None
    path = renders.download_file(name, ctx.work_dir / "voice-timings.json")
    words = json.loads(path.read_text())["word_timings"]
    return tuple(WordTiming.model_validate(w) for w in words)


class RenderExecutor:
    """The whole render in one task (a short timeline)."""

    def __init__(self, renders: BlobStore, media_files: BlobStore, media: MediaLibrary) -> None:
        self._renders = renders
        self._media_files = media_files
        self._media = media
        self._delivery = Delivery(renders)

    def existing(self, ctx: TaskContext) -> dict[str, str] | None:
        return self._delivery.existing(ctx)

    def run(self, ctx: TaskContext) -> dict[str, str]:
        timeline = made_timeline(ctx, self._renders)
        fetch = RemoteFetch(ctx.job.uid, self._renders, self._media_files, self._media)
        out = ctx.work_dir / "render.mp4"
        done = render_timeline(
            timeline, MediaResolver(fetch=fetch), out, progress=ctx.progress, cancel=ctx.cancel,
            work_dir=ctx.work_dir,
        )  # fmt: skip
        return self._delivery.deliver(ctx, done)

    def discard(self, ctx: TaskContext) -> None:
        self._delivery.discard(ctx)
