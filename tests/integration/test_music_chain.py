"""The music chain for real: ACE-Step's routes on a local server, a tiny random-weight MusicGen
loaded from disk through the GPU box's model manager, ElevenLabs music through its SDK, and the
offline composer; whatever made the bed, it comes out fitted to the ad's exact length. Then the
music task: its result is stored, and a redelivered task never calls a paid API again."""

from __future__ import annotations

import threading
import wave
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from gpu_subscriber.models import ModelManager
from shared.jobs import new_job
from shared.music.brief import read_brief
from shared.music.chain import MusicRequest, make_music
from shared.pipeline import taskgraph as tg
from shared.pipeline.executors import MusicExecutor, TaskContext
from shared.pipeline.made_tracks import MusicOptions
from shared.settings import MusicSettings, Secret, Settings
from shared.timeline.model import Timeline
from shared.usage import Allowance
from tests.ai_servers import acestep_server as ace
from tests.ai_servers.base import malformed
from tests.ai_servers.elevenlabs_server import ElevenLabsServer, composed, error
from tests.fakes import InMemoryBlobStore
from tests.music_tiny import save_tiny_musicgen
from tests.pipeline_fakes import InMemoryUsageMeter

BARE = Settings(project_id="p", media_bucket="media", renders_bucket="renders")
DURATION_MS = 7_250
NO_ACE = "ACE-Step: no ACE-Step server here (CS_ACESTEP_URL is not set; it runs on a GPU box)"
NO_GPU = "MusicGen: no GPU box here (this worker has no local models)"


@pytest.fixture(scope="module")
def models(tmp_path_factory: pytest.TempPathFactory) -> ModelManager:
    import torch

    torch.set_num_threads(1)
    root = tmp_path_factory.mktemp("models")
    save_tiny_musicgen(root / "musicgen")
    return ModelManager(root, vram_budget_mb=200_000, device=lambda: "cpu")


def with_acestep(server: ace.AceStepServer) -> Settings:
    return replace(BARE, music=MusicSettings(acestep_url=server.url, acestep_poll_ms=20))


def keyed(server: ElevenLabsServer) -> Settings:
    return replace(BARE, elevenlabs_api_key=Secret("sk-test"), elevenlabs_base_url=server.url)


def request(tmp_path: Path, prompt: str = "upbeat corporate 120 bpm") -> MusicRequest:
    return MusicRequest(read_brief(prompt), DURATION_MS, tmp_path)


def exact(path: Path) -> None:
    with wave.open(str(path)) as music:
        assert (music.getnchannels(), music.getframerate()) == (2, 48_000)
        assert music.getnframes() == DURATION_MS * 48


def test_with_nothing_here_the_offline_composer_makes_it(tmp_path: Path) -> None:
    made = make_music(request(tmp_path, "calm ambient"), BARE, None)
    assert made.made_by == "offline composer"
    assert made.warning == (
        f"music: {NO_ACE}; {NO_GPU}; ElevenLabs music: key not set (ELEVENLABS_API_KEY); "
        "made by the offline composer (76 bpm, C major)"
    )
    exact(made.value)


def test_acestep_answers_first_and_its_bed_is_fitted(
    acestep: ace.AceStepServer, models: ModelManager, tmp_path: Path
) -> None:
    acestep.answer(ace.working())
    made = make_music(request(tmp_path), with_acestep(acestep), models)
    assert (made.made_by, made.warning) == ("ACE-Step", None)
    exact(made.value)
    asked = acestep.received[0].json()
    assert (asked["bpm"], asked["audio_duration"]) == (120, 10)
    assert "120 BPM" in asked["prompt"] and models.loaded() == ()


def test_acestep_failing_falls_to_musicgen_on_the_gpu_box(
    acestep: ace.AceStepServer, models: ModelManager, tmp_path: Path
) -> None:
    acestep.answer(ace.error(500, "boom"))
    made = make_music(request(tmp_path), with_acestep(acestep), models)
    assert made.made_by == "MusicGen"
    assert made.warning == "music: ACE-Step: server error (HTTP 500); made by MusicGen (120 bpm)"
    exact(made.value)  # ~7 s of tiny-model noise looped on its bars to the exact length
    assert models.loaded() == ("musicgen",)


def test_elevenlabs_answers_when_no_gpu_box_is_here(
    elevenlabs: ElevenLabsServer, tmp_path: Path
) -> None:
    elevenlabs.answer(composed())
    made = make_music(request(tmp_path), keyed(elevenlabs), None)
    assert made.warning == f"music: {NO_ACE}; {NO_GPU}; made by ElevenLabs (music_v1, 120 bpm)"
    exact(made.value)
    assert elevenlabs.received[0].json()["music_length_ms"] == DURATION_MS + 1000


@pytest.mark.parametrize(
    ("reply", "reason"),
    [
        (malformed(), "answered with audio that does not decode"),
        (error(429, "quota_exceeded", "quota"), "rate limit or quota reached (HTTP 429)"),
    ],
)
def test_an_elevenlabs_fault_ends_in_the_composer(
    elevenlabs: ElevenLabsServer, tmp_path: Path, reply: object, reason: str
) -> None:
    elevenlabs.answer(reply)  # type: ignore[arg-type]
    made = make_music(request(tmp_path), keyed(elevenlabs), None)
    assert made.made_by == "offline composer"
    assert f"; ElevenLabs music: {reason}" in (made.warning or "")
    exact(made.value)


def test_the_music_task_stores_its_bed_and_a_redelivery_never_pays_twice(
    elevenlabs: ElevenLabsServer, tmp_path: Path
) -> None:
    photo = {"kind": "photo", "source": "gs://renders/p.jpg", "duration_ms": 3000}
    raw = {"format": {"aspect": "16:9", "fps": 24, "quality": "preview"}, "video": [photo]}
    now = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
    job = new_job("job1", "u1", now, brand_name="Harbor", timeline=raw)
    pipeline = tg.plan("job1", "u1", Timeline.model_validate(raw), now,
                       music=MusicOptions(prompt="warm acoustic 92 bpm"))  # fmt: skip
    renders = InMemoryBlobStore("renders")
    task = MusicExecutor(renders, keyed(elevenlabs))

    def context(work: Path) -> TaskContext:
        work.mkdir()
        return TaskContext(job=job, pipeline=pipeline, task=tg.MUSIC, attempt=1, work_dir=work,
                           progress=lambda pct, step: None, cancel=threading.Event())  # fmt: skip

    elevenlabs.answer(composed())
    first = context(tmp_path / "a")
    assert task.existing(first) is None
    result = task.run(first)
    assert result["made_by"] == "ElevenLabs music"
    assert result["warning"].endswith("made by ElevenLabs (music_v1, 92 bpm)")
    again = MusicExecutor(renders, keyed(elevenlabs)).existing(context(tmp_path / "b"))
    assert again == result and len(elevenlabs.received) == 1
    stored = renders.objects[result["uri"].removeprefix("gs://renders/")].data
    assert len(stored) == 44 + 3_000 * 48 * 4  # the timeline's 3 s, stereo 16-bit


def test_elevenlabs_music_is_skipped_past_the_owners_daily_seconds(
    elevenlabs: ElevenLabsServer, tmp_path: Path
) -> None:
    elevenlabs.answer(composed())
    allowance = Allowance(InMemoryUsageMeter(), "alice", "ai-music-seconds",
                          "seconds of AI music", 5)  # fmt: skip
    made = make_music(request(tmp_path), keyed(elevenlabs), None, allowance)
    assert made.made_by == "offline composer" and elevenlabs.received == []
    assert "; ElevenLabs music: your daily allowance of 5 seconds of AI music is used up" in (
        made.warning or ""
    )
    exact(made.value)
