"""A job with voice and music options, through the voice, music and render executors (fakes of
our storage port; real espeak-ng and FFmpeg): the render uses the made voice with its engine
word timings and the volumes and ducking the job asked for."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from examples.make_media import draw_photo
from shared.jobs import new_job
from shared.pipeline import taskgraph as tg
from shared.pipeline.executors import (
    MusicExecutor,
    RenderExecutor,
    TaskContext,
    VoiceExecutor,
    made_timeline,
)
from shared.pipeline.made_tracks import MusicOptions, VoiceOptions
from shared.render.media.probe import probe_streams
from shared.timeline.model import Timeline, WordTiming
from shared.voice import espeak
from tests.fakes import InMemoryBlobStore
from tests.pipeline_fakes import SETTINGS, InMemoryMediaLibrary, InMemoryUsageMeter

pytestmark = [
    pytest.mark.ffmpeg,
    pytest.mark.skipif(espeak.missing() is not None, reason="espeak-ng is not installed"),
]
NOW = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
SCRIPT = "Fresh bread, every morning. Visit us today."


def timeline(photo: str) -> dict[str, Any]:
    return {
        "format": {"aspect": "16:9", "fps": 24, "quality": "preview"},
        "video": [{"kind": "photo", "source": photo, "duration_ms": 4000}],
        "captions": {"enabled": True},
    }


def context(job: Any, pipeline: tg.Pipeline, task: str, work: Path) -> TaskContext:
    work.mkdir(parents=True, exist_ok=True)
    return TaskContext(
        job=job, pipeline=pipeline, task=task, attempt=1, work_dir=work,
        progress=lambda pct, step: None, cancel=threading.Event(),
    )  # fmt: skip


def done(pipeline: tg.Pipeline, name: str, result: dict[str, str]) -> tg.Pipeline:
    tasks = tuple(
        t.model_copy(update={"state": tg.TaskState.DONE, "result": result}) if t.name == name else t
        for t in pipeline.tasks
    )
    return pipeline.model_copy(update={"tasks": tasks})


def test_made_voice_and_music_render_with_the_job_options(tmp_path: Path) -> None:
    renders = InMemoryBlobStore("renders")
    draw_photo(1, 320, 180).save(tmp_path / "photo.jpg", "JPEG")
    photo = renders.upload_file("uploads/photo.jpg", tmp_path / "photo.jpg", "image/jpeg")
    raw = timeline(photo)
    job = new_job("job1", "u1", NOW, brand_name="Harbor", timeline=raw)
    pipeline = tg.plan(
        "job1", "u1", Timeline.model_validate(raw), NOW, script=SCRIPT,
        voice=VoiceOptions(voice_id="espeak:en-gb", volume=1.5),
        music=MusicOptions(prompt="warm acoustic", volume=0.3, duck=False),
    )  # fmt: skip
    assert [t.name for t in pipeline.tasks] == [tg.VOICE, tg.MUSIC, tg.RENDER]

    voice = VoiceExecutor(renders, SETTINGS, InMemoryUsageMeter())
    voice_ctx = context(job, pipeline, tg.VOICE, tmp_path / "v")
    said = voice.run(voice_ctx)
    assert said["made_by"] == "espeak-ng" and "warning" not in said  # the voice asked for
    assert voice.existing(voice_ctx) == said  # a redelivery answers from the stored result
    music = MusicExecutor(renders, SETTINGS).run(context(job, pipeline, tg.MUSIC, tmp_path / "m"))
    assert music["made_by"] == "offline composer"  # no GPU box, no key: the last link
    assert music["warning"].endswith("made by the offline composer (96 bpm, C major)")
    pipeline = done(done(pipeline, tg.VOICE, said), tg.MUSIC, music)

    stored = json.loads(renders.objects[said["timings_uri"].removeprefix("gs://renders/")].data)
    timings = tuple(WordTiming.model_validate(w) for w in stored["word_timings"])
    assert [w.word for w in timings] == SCRIPT.split()
    render = RenderExecutor(renders, InMemoryBlobStore("media"), InMemoryMediaLibrary())
    render_ctx = context(job, pipeline, tg.RENDER, tmp_path / "r")
    rendered = made_timeline(render_ctx, renders)
    assert rendered.voice is not None and rendered.music is not None
    assert rendered.voice.source == said["uri"] and rendered.voice.volume == 1.5
    assert rendered.voice.word_timings == timings
    assert rendered.music.volume == 0.3 and rendered.music.duck.enabled is False

    result = render.run(render_ctx)
    video = renders.download_file(
        result["video_uri"].removeprefix("gs://renders/"), tmp_path / "out.mp4"
    )
    facts = probe_streams(video)
    assert facts.video is not None and facts.audio is not None


def test_defaults_when_the_job_gives_no_options(tmp_path: Path) -> None:
    raw = timeline("gs://renders/uploads/photo.jpg")
    job = new_job("job2", "u1", NOW, timeline=raw)
    pipeline = tg.plan("job2", "u1", Timeline.model_validate(raw), NOW, script=SCRIPT)
    pipeline = done(done(pipeline, tg.VOICE, {"uri": "gs://renders/v.wav"}), tg.MUSIC,
                    {"uri": "gs://renders/m.wav"})  # fmt: skip
    ctx = context(job, pipeline, tg.RENDER, tmp_path)
    made = made_timeline(ctx, InMemoryBlobStore("renders"))
    assert made.voice is not None and made.voice.volume == 1.0 and made.voice.word_timings is None
    assert made.music is not None and made.music.volume == 0.6 and made.music.duck.enabled
