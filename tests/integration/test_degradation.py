"""The degradation matrix on the local stack: each capability (script, voice, music, image, AI
clip, render) under each condition ends finished, made by the link the condition leaves, with
the warnings that say so.

    GPU online    a real gpu_subscriber process, its links configured: the task runs there and
                  the box's first link answers; no fallback warning
    GPU offline   no box; the cloud worker keyed (pointed at the local vendor servers): the
                  cloud link answers, with the routing warning
    no keys       no box, no keys: the offline last link answers, naming each skipped link
    GPU dies      the box claims the task, its link slow, and is killed (SIGKILL to its process
                  group) while the task runs: the sweeper re-routes it to the cloud, which
                  finishes it, with the warning that the box stopped responding

Each condition is one class: its own topics (so no queue is shared), its orchestrator, cloud
worker and sweeper as threads for all its cells. The online, offline and no-keys cells of the
job-made capabilities read one job each condition makes with a brief (script -> voice -> music
-> render): one job exercises the four chains at once, cheaply. A dying box needs its own job
per capability, killed in that capability's task. Stills and clips are generations, queued as
``POST /api/media/generate`` queues them (submit_generation) and filled in by a worker into the
library. This machine has no CUDA: its boxes run the tiny models on the CPU, as a box with
``CS_CPU_MODEL_BUDGET_MB`` does.
"""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import uuid
import wave
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from functions.cloud_render import build_loop
from functions.sweeper import run_every
from shared.adapters.firestore_media import FirestoreMediaLibrary
from shared.imagery.models import SDXL, WAN_I2V
from shared.imagery.request import GenerateRequest
from shared.imagery.service import Generator
from shared.imagery.submit import submit_generation
from shared.jobs import EnginePreference, Job, JobStatus
from shared.library.service import Library
from shared.localstack import ServiceProcess
from shared.pipeline import taskgraph as tg
from shared.pipeline.media_item import MediaItem, MediaKindName, MediaStatus
from shared.pipeline.messages import Route
from shared.pipeline.ports import PipelineServices
from shared.pipeline.services import submit_job
from shared.render.media.probe import probe_streams
from shared.scripts.brief import ScriptBrief
from shared.settings import ImagerySettings, Secret, Settings
from shared.timeline.validate import parse_timeline
from tests.ai_servers import acestep_server as ace
from tests.ai_servers import gemini as gemini_wire
from tests.ai_servers import ollama as ollama_wire
from tests.ai_servers import vertex_server as vertex
from tests.ai_servers.base import Received, Reply, ScriptedServer, slow
from tests.ai_servers.base import running as serving
from tests.ai_servers.elevenlabs_server import ElevenLabsServer, composed, spoken
from tests.ai_servers.gemini_image import image_generated, png
from tests.imagery_tiny import save_tiny_sdxl, save_tiny_wan_i2v
from tests.integration.pipeline_env import (
    add_photo,
    orchestrator,
    pipeline_ports,
    render_outputs,
    running,
    start_worker,
    tiny_timeline,
    wait_for,
    worker_loop,
)

pytestmark = [pytest.mark.emulator, pytest.mark.ffmpeg]

BRAND = "Harbor Bakery"
BRIEF = ScriptBrief(brand=BRAND, business="a bakery: sourdough and coffee", duration_s=5)
DRAFT = {
    "title": "Morning bread",
    "script": "Harbor Bakery bakes sourdough every morning.",
    "call_to_action": "Visit today.",
}
VOICE_ID, VOICE_NAME = "voice1", "Ava"
GEMINI_MODEL = "gemini-3.8-flash"
NO_ACESTEP = "ACE-Step: no ACE-Step server here (CS_ACESTEP_URL is not set; it runs on a GPU box)"
NO_MUSICGEN = "MusicGen: no GPU box here (this worker has no local models)"
JOB_S = 240  # a job on a loaded 2-core box: generous, the cells end as soon as it does
DIES_SLOW_S = 120.0  # the dying box's link answers long after the kill


# -- the local vendor servers, shared by every cell --------------------------------------------


class GeminiBoth(gemini_wire.GeminiServer):
    """Gemini text (the scripted reply) and Gemini image (a PNG) on one base URL, as the
    service is: the script and image chains share GEMINI_API_KEY and CS_GEMINI_BASE_URL."""

    def route(self, request: Received, reply: Reply) -> Reply:
        answer = super().route(request, reply)
        if answer.status == 200 and gemini_wire.model_of(request) != GEMINI_MODEL:
            return image_generated(png((320, 180)))
        return answer


class ElevenLabsBoth(ElevenLabsServer):
    """ElevenLabs speech and music on one base URL, as the service is (the voice and music
    chains share ELEVENLABS_API_KEY): a music request gets the music answer, as slow as the
    scripted reply."""

    def route(self, request: Received, reply: Reply) -> Reply:
        if request.path.startswith("/v1/music"):
            reply = slow(composed(), reply.delay_s)
        return super().route(request, reply)


@dataclass(frozen=True)
class Servers:
    """Each vendor's local server; the ``*_slow`` ones are for a box that is to die mid-task."""

    ollama: ScriptedServer
    ollama_slow: ScriptedServer
    gemini: ScriptedServer
    eleven: ScriptedServer
    eleven_slow: ScriptedServer
    acestep: ScriptedServer
    acestep_slow: ScriptedServer
    veo: ScriptedServer


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    made = Servers(
        ollama=ollama_wire.OllamaServer(), ollama_slow=ollama_wire.OllamaServer(),
        gemini=GeminiBoth(), eleven=ElevenLabsBoth(), eleven_slow=ElevenLabsBoth(),
        acestep=ace.AceStepServer(), acestep_slow=ace.AceStepServer(), veo=vertex.VertexServer(),
    )  # fmt: skip
    made.ollama.answer(ollama_wire.generated(DRAFT))
    made.ollama_slow.answer(slow(ollama_wire.generated(DRAFT), DIES_SLOW_S))
    made.gemini.answer(gemini_wire.generated(DRAFT))
    made.eleven.answer(spoken())
    made.eleven_slow.answer(slow(spoken(), DIES_SLOW_S))
    made.acestep.answer(ace.working())
    made.acestep_slow.answer(slow(ace.working(), DIES_SLOW_S))
    made.veo.answer(vertex.started(), vertex.video_done(_veo_answer(tmp_path_factory)))
    with ExitStack() as stack:
        for field in dataclasses.fields(made):
            stack.enter_context(serving(getattr(made, field.name)))
        yield made


@pytest.fixture(scope="module")
def tiny_models(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Tiny random-weight SDXL and Wan I2V, saved as production loads them, for the boxes."""
    import torch

    torch.set_num_threads(1)
    root = tmp_path_factory.mktemp("models")
    save_tiny_sdxl(root / SDXL)
    save_tiny_wan_i2v(root / WAN_I2V)
    return root


def models_env(folder: Path, steps: int = 2) -> dict[str, str]:
    """The box's model folder at tiny sizes; a huge step count keeps a dying box busy."""
    return {
        "CS_MODELS_DIR": str(folder), "CS_SDXL_STEPS": str(steps), "CS_WAN_STEPS": str(steps),
        "CS_AI_IMAGE_EDGE": "64", "CS_AI_CLIP_EDGE": "32", "CS_CPU_MODEL_BUDGET_MB": "200000",
    }  # fmt: skip


def _veo_answer(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """A real small MP4 for the Veo server to answer with."""
    from shared.imagery.motion import ken_burns
    from shared.timeline.model import Aspect, Quality

    folder = tmp_path_factory.mktemp("veo")
    still = folder / "still.png"
    still.write_bytes(png((64, 36)))
    done = ken_burns(still, folder / "veo.mp4", duration_ms=1000, aspect=Aspect.LANDSCAPE,
                     fps=24, quality=Quality.PREVIEW)  # fmt: skip
    return done.video_path.read_bytes()


def keyed(settings: Settings, servers: Servers) -> Settings:
    """The cloud worker with every key, each pointing at its local server."""
    return dataclasses.replace(
        settings, gemini_api_key=Secret("gemini-key"), gemini_base_url=servers.gemini.url,
        gemini_model=GEMINI_MODEL, elevenlabs_api_key=Secret("eleven-key"),
        elevenlabs_base_url=servers.eleven.url, elevenlabs_voices=((VOICE_ID, VOICE_NAME),),
        imagery=ImagerySettings(
            gemini_image_timeout_ms=10_000, veo_model="veo-test", veo_base_url=servers.veo.url,
            veo_access_token=Secret("local-token"), veo_poll_ms=50, veo_deadline_s=60,
        ),
    )  # fmt: skip


def bare(settings: Settings) -> Settings:
    return dataclasses.replace(
        settings, gemini_api_key=None, elevenlabs_api_key=None, ollama_host=None,
        imagery=ImagerySettings(), elevenlabs_voices=(),
    )  # fmt: skip


NO_KEYS_ENV = {"GEMINI_API_KEY": "", "ELEVENLABS_API_KEY": "", "CS_OLLAMA_HOST": "",
               "CS_VEO_MODEL": "", "CS_ACESTEP_URL": ""}  # fmt: skip


def box_env(servers: Servers, slow_link: str | None = None) -> dict[str, str]:
    """A GPU box's links: Ollama, ElevenLabs, ACE-Step; ``slow_link`` (script, voice or music)
    answers long after the box is killed, so the kill lands mid-task."""
    ollama = servers.ollama_slow if slow_link == tg.SCRIPT else servers.ollama
    eleven = servers.eleven_slow if slow_link == tg.VOICE else servers.eleven
    acestep = servers.acestep_slow if slow_link == tg.MUSIC else servers.acestep
    return {
        **NO_KEYS_ENV, "CS_OLLAMA_HOST": ollama.url, "CS_OLLAMA_TIMEOUT_S": "300",
        "ELEVENLABS_API_KEY": "box-eleven-key", "CS_ELEVENLABS_BASE_URL": eleven.url,
        "CS_ELEVENLABS_VOICES": f"{VOICE_ID}:{VOICE_NAME}", "CS_ELEVENLABS_TIMEOUT_S": "300",
        "CS_ACESTEP_URL": acestep.url, "CS_ACESTEP_POLL_MS": "20", "CS_ACESTEP_TIMEOUT_S": "300",
    }  # fmt: skip


# -- one condition's pipeline ------------------------------------------------------------------


@dataclass
class Condition:
    ports: PipelineServices  # with the cloud worker's settings
    tmp: Path
    cloud_id: str
    uid: str = "alice"

    def photo(self, seed: int = 1) -> str:
        return add_photo(self.ports, self.tmp, self.uid, seed)

    def submit(self, timeline: dict[str, object], **kwargs: object) -> Job:
        return submit_job(
            uid=self.uid, brand_name=BRAND, timeline=parse_timeline(timeline),
            engine=EnginePreference.AUTO, job_id=f"job-{uuid.uuid4().hex[:10]}",
            jobs=self.ports.jobs, pipelines=self.ports.pipelines, bus=self.ports.bus,
            settings=self.ports.settings, now=datetime.now(UTC), **kwargs,  # type: ignore[arg-type]
        )  # fmt: skip

    def brief_job(self) -> Job:
        """script (from the brief) -> voice, music -> render, on two 1 s photos."""
        photo = self.photo()
        return self.submit(tiny_timeline([photo, photo]), brief=BRIEF)

    def finished(self, job_id: str) -> Job:
        job = wait_for("the job to end", lambda: _ended(self.ports, job_id), timeout_s=JOB_S)
        assert job.status is JobStatus.DONE, (job.error, job.warnings)
        return job

    def task(self, job_id: str, name: str) -> tg.Task:
        return self.ports.pipelines.get(job_id).task(name)

    def generate(self, body: GenerateRequest) -> tuple[MediaItem, Route]:
        generator = Generator(self.library(), self.ports.settings, models=None)
        return submit_generation(
            generator, self.ports.bus, self.ports.online, self.uid, body, datetime.now(UTC)
        )

    def library(self) -> Library:
        assert isinstance(self.ports.media, FirestoreMediaLibrary)
        return Library(self.ports.media, self.ports.media_files)

    def made(self, media_id: str, timeout_s: float = JOB_S) -> MediaItem:
        def settled() -> MediaItem | None:
            item = self.ports.media.get(media_id)
            return item if item.status is not MediaStatus.PENDING else None

        return wait_for("the generation to settle", settled, timeout_s=timeout_s)


def _ended(ports: PipelineServices, job_id: str) -> Job | None:
    job = ports.jobs.get(job_id)
    return job if job.status.terminal else None


@contextmanager
def condition(settings: Settings, cloud: Settings, tmp: Path, name: str) -> Iterator[Condition]:
    with pipeline_ports(settings) as base:
        scoped = dataclasses.replace(cloud, topic_prefix=base.settings.topic_prefix)
        ports = dataclasses.replace(base, settings=scoped)
        cloud_id = f"cloud-{name}"
        loop = build_loop(ports, cloud_id, pull_timeout_s=1.0)
        with (
            running(orchestrator(ports)),
            running(worker_loop(loop)),
            running(lambda stop: run_every(ports, 1.0, stop)),
        ):
            yield Condition(ports, tmp, cloud_id)


def routing_warning(kind: str) -> str:
    return (
        f"{kind}: a GPU box would be faster, but none that takes {kind} tasks is online; "
        "using the cloud CPU worker (slower)"
    )


def warnings_of(job: Job, capability: str) -> list[str]:
    return [w for w in job.warnings if w.startswith(f"{capability}:")]


def stored_json(ports: PipelineServices, uri: str, tmp: Path) -> dict[str, object]:
    name = uri.removeprefix(f"gs://{ports.renders.bucket}/")
    path = ports.renders.download_file(name, tmp / f"{uuid.uuid4().hex[:8]}.json")
    loaded: dict[str, object] = json.loads(path.read_text())
    return loaded


def assert_bed(c: Condition, task: tg.Task) -> None:
    """The music task's bed: a 48 kHz stereo WAV exactly as long as the 2 s programme."""
    name = task.result["uri"].removeprefix(f"gs://{c.ports.renders.bucket}/")
    path = c.ports.renders.download_file(name, c.tmp / f"{uuid.uuid4().hex[:8]}.wav")
    with wave.open(str(path)) as bed:
        assert (bed.getframerate(), bed.getnchannels(), bed.getnframes()) == (48_000, 2, 96_000)


def assert_rendered(c: Condition, job: Job, attempt: int) -> None:
    """The job's video: its outputs for that attempt, 2 s long, with sound, every task done."""
    assert render_outputs(c.ports, job.job_id) == [
        f"previews/{job.job_id}/render-{attempt}.{ext}" for ext in ("mp4", "jpg", "json")
    ]
    video = c.ports.renders.download_file(
        f"previews/{job.job_id}/render-{attempt}.mp4", c.tmp / f"{job.job_id}.mp4"
    )
    facts = probe_streams(video)
    assert facts.video is not None and facts.audio is not None
    assert abs(facts.duration_ms - 2000) <= 100
    assert {t.state for t in c.ports.pipelines.get(job.job_id).tasks} == {tg.TaskState.DONE}


# -- GPU box online ----------------------------------------------------------------------------


class TestGpuOnline:
    @pytest.fixture(scope="class")
    @classmethod
    def online(
        cls,
        settings: Settings,
        servers: Servers,
        tiny_models: Path,
        tmp_path_factory: pytest.TempPathFactory,
    ) -> Iterator[tuple[Condition, ServiceProcess]]:
        tmp = tmp_path_factory.mktemp("online")
        with condition(settings, keyed(settings, servers), tmp, "online") as c:
            env = box_env(servers) | models_env(tiny_models)
            box = start_worker(c.ports, tmp, "gpu-online", **env)
            try:
                yield c, box
            finally:
                box.stop()

    @pytest.fixture(scope="class")
    @classmethod
    def job(cls, online: tuple[Condition, ServiceProcess]) -> Job:
        c, _ = online
        return c.finished(c.brief_job().job_id)

    def test_script__gpu_online(
        self, online: tuple[Condition, ServiceProcess], job: Job, servers: Servers
    ) -> None:
        c, _ = online
        task = c.task(job.job_id, tg.SCRIPT)
        assert (task.route, task.worker_id, task.attempt) == (Route.GPU, "gpu-online", 1)
        assert task.result["made_by"] == "Ollama" and BRAND in task.result["script"]
        assert task.result["script"] == DRAFT["script"]
        assert warnings_of(job, "script") == []  # the box's first link answered
        assert c.ports.settings.ollama_host is None  # so the box, not the cloud, asked Ollama
        assert servers.ollama.received[0].json()["model"] == "llama3.1:8b"

    def test_voice__gpu_online(
        self, online: tuple[Condition, ServiceProcess], job: Job, servers: Servers
    ) -> None:
        c, _ = online
        task = c.task(job.job_id, tg.VOICE)
        assert (task.route, task.worker_id) == (Route.GPU, "gpu-online")
        assert task.result["made_by"] == "ElevenLabs" and "warning" not in task.result
        asked = [r for r in servers.eleven.received if r.headers.get("xi-api-key")]
        assert any(r.headers["xi-api-key"] == "box-eleven-key" for r in asked)
        timings = stored_json(c.ports, task.result["timings_uri"], c.tmp)["word_timings"]
        assert isinstance(timings, list) and timings  # timed by the engine's alignment
        assert warnings_of(job, "voice") == []

    def test_music__gpu_online(
        self, online: tuple[Condition, ServiceProcess], job: Job, servers: Servers
    ) -> None:
        c, _ = online
        task = c.task(job.job_id, tg.MUSIC)
        assert (task.route, task.worker_id) == (Route.GPU, "gpu-online")
        assert task.result["made_by"] == "ACE-Step" and "warning" not in task.result
        assert_bed(c, task)
        asked = [r.json() for r in servers.acestep.received if r.path == "/release_task"]
        assert asked and asked[0]["audio_format"] == "wav"
        assert warnings_of(job, "music") == []

    def test_render__gpu_online(self, online: tuple[Condition, ServiceProcess], job: Job) -> None:
        c, _ = online
        task = c.task(job.job_id, tg.RENDER)
        assert (task.route, task.worker_id, task.attempt) == (Route.GPU, "gpu-online", 1)
        assert warnings_of(job, "render") == []
        assert_rendered(c, job, attempt=1)

    def test_image__gpu_online(self, online: tuple[Condition, ServiceProcess]) -> None:
        c, box = online
        beat = c.ports.workers.get(box.name)
        assert beat is not None and SDXL in beat.models
        item, route = c.generate(GenerateRequest(kind="image", prompt="a red shoe"))
        assert route is Route.GPU
        done = c.made(item.media_id, timeout_s=120)
        assert done.status is MediaStatus.READY, done.error
        assert done.made_by == "SDXL" and not done.warning, done.warning

    def test_clip__gpu_online(self, online: tuple[Condition, ServiceProcess]) -> None:
        c, box = online
        beat = c.ports.workers.get(box.name)
        assert beat is not None and WAN_I2V in beat.models
        body = GenerateRequest(kind="clip", prompt="a red shoe", source=c.photo(4), duration_s=1)
        item, route = c.generate(body)
        assert route is Route.GPU
        done = c.made(item.media_id, timeout_s=120)
        assert done.status is MediaStatus.READY, done.error
        assert done.made_by == "Wan 2.1" and not done.warning


# -- GPU box offline, keys set -----------------------------------------------------------------


class TestGpuOffline:
    @pytest.fixture(scope="class")
    @classmethod
    def offline(
        cls, settings: Settings, servers: Servers, tmp_path_factory: pytest.TempPathFactory
    ) -> Iterator[Condition]:
        tmp = tmp_path_factory.mktemp("offline")
        with condition(settings, keyed(settings, servers), tmp, "offline") as c:
            yield c

    @pytest.fixture(scope="class")
    @classmethod
    def job(cls, offline: Condition) -> Job:
        return offline.finished(offline.brief_job().job_id)

    def test_script__gpu_offline(self, offline: Condition, job: Job) -> None:
        task = offline.task(job.job_id, tg.SCRIPT)
        assert (task.route, task.worker_id) == (Route.CLOUD, "cloud-offline")
        assert task.result["made_by"] == "Gemini" and task.result["script"] == DRAFT["script"]
        assert warnings_of(job, "script") == [
            routing_warning("script"),
            f"script: Ollama: CS_OLLAMA_HOST is not set; written by Gemini ({GEMINI_MODEL})",
        ]

    def test_voice__gpu_offline(self, offline: Condition, job: Job, servers: Servers) -> None:
        task = offline.task(job.job_id, tg.VOICE)
        assert (task.route, task.worker_id) == (Route.CLOUD, "cloud-offline")
        assert task.result["made_by"] == "ElevenLabs"
        keys = {r.headers.get("xi-api-key") for r in servers.eleven.received}
        assert "eleven-key" in keys  # the cloud worker's own key
        assert warnings_of(job, "voice") == [routing_warning("voice")]

    def test_music__gpu_offline(self, offline: Condition, job: Job) -> None:
        task = offline.task(job.job_id, tg.MUSIC)
        assert (task.route, task.worker_id) == (Route.CLOUD, "cloud-offline")
        assert task.result["made_by"] == "ElevenLabs music"
        assert_bed(offline, task)
        music = warnings_of(job, "music")
        assert music[0] == routing_warning("music")
        made_by = f"music: {NO_ACESTEP}; {NO_MUSICGEN}; made by ElevenLabs (music_v1"
        assert music[1].startswith(made_by) and music[1].endswith(" bpm)"), music

    def test_render__gpu_offline(self, offline: Condition, job: Job) -> None:
        task = offline.task(job.job_id, tg.RENDER)
        assert (task.route, task.worker_id, task.attempt) == (Route.CLOUD, "cloud-offline", 1)
        assert warnings_of(job, "render") == [routing_warning("render")]
        assert_rendered(offline, job, attempt=1)

    def test_image__gpu_offline(self, offline: Condition) -> None:
        item, route = offline.generate(GenerateRequest(kind="image", prompt="a coffee cup"))
        assert route is Route.CLOUD
        done = offline.made(item.media_id)
        assert done.status is MediaStatus.READY, done.error
        assert done.kind is MediaKindName.IMAGE and (done.width, done.height) == (320, 180)
        assert done.made_by == "Gemini image"
        assert done.warning == (
            "image: SDXL: no GPU box here (this worker has no local models); "
            "made by Gemini (gemini-2.5-flash-image)"
        )
        assert offline.library().blobs.exists(done.thumb_object_name)

    def test_clip__gpu_offline(self, offline: Condition, servers: Servers) -> None:
        body = GenerateRequest(
            kind="clip", prompt="slow push in", source=offline.photo(2), duration_s=1, fps=24
        )
        item, route = offline.generate(body)
        assert route is Route.CLOUD
        done = offline.made(item.media_id)
        assert done.status is MediaStatus.READY, done.error
        assert done.kind is MediaKindName.VIDEO and done.made_by == "Veo"
        assert done.warning == (
            "clip: Wan 2.1: no GPU box here (this worker has no local models); "
            "made by Veo (veo-test)"
        )
        assert done.duration_ms == 1000 and done.width > done.height
        start = next(r for r in servers.veo.received if r.path.endswith(":predictLongRunning"))
        assert start.json()["instances"][0]["image"]["mimeType"] == "image/jpeg"


# -- no GPU box, no keys -----------------------------------------------------------------------


class TestNoKeys:
    @pytest.fixture(scope="class")
    @classmethod
    def nokeys(
        cls, settings: Settings, tmp_path_factory: pytest.TempPathFactory
    ) -> Iterator[Condition]:
        tmp = tmp_path_factory.mktemp("nokeys")
        with condition(settings, bare(settings), tmp, "nokeys") as c:
            yield c

    @pytest.fixture(scope="class")
    @classmethod
    def job(cls, nokeys: Condition) -> Job:
        return nokeys.finished(nokeys.brief_job().job_id)

    def test_script__no_keys(self, nokeys: Condition, job: Job) -> None:
        task = nokeys.task(job.job_id, tg.SCRIPT)
        assert task.route is Route.CLOUD and task.result["made_by"] == "offline template writer"
        assert BRAND in task.result["script"] and task.result["call_to_action"]
        assert warnings_of(job, "script")[:2] == [
            routing_warning("script"),
            "script: Ollama: CS_OLLAMA_HOST is not set; Gemini: GEMINI_API_KEY is not set; "
            "written by the offline template writer",
        ]

    def test_voice__no_keys(self, nokeys: Condition, job: Job) -> None:
        task = nokeys.task(job.job_id, tg.VOICE)
        assert task.route is Route.CLOUD and task.result["made_by"] == "espeak-ng"
        assert warnings_of(job, "voice") == [
            routing_warning("voice"),
            "voice: ElevenLabs: key not set (ELEVENLABS_API_KEY); spoken by espeak-ng (en-us)",
        ]
        timings = stored_json(nokeys.ports, task.result["timings_uri"], nokeys.tmp)
        assert timings["word_timings"]  # measured from espeak-ng's word events

    def test_music__no_keys(self, nokeys: Condition, job: Job) -> None:
        task = nokeys.task(job.job_id, tg.MUSIC)
        assert task.route is Route.CLOUD and task.result["made_by"] == "offline composer"
        assert_bed(nokeys, task)
        music = warnings_of(job, "music")
        assert music[0] == routing_warning("music")
        assert music[1].startswith(
            f"music: {NO_ACESTEP}; {NO_MUSICGEN}; ElevenLabs music: key not set "
            "(ELEVENLABS_API_KEY); made by the offline composer ("
        ), music

    def test_render__no_keys(self, nokeys: Condition, job: Job) -> None:
        task = nokeys.task(job.job_id, tg.RENDER)
        assert (task.route, task.worker_id) == (Route.CLOUD, "cloud-nokeys")
        assert warnings_of(job, "render") == [routing_warning("render")]
        assert_rendered(nokeys, job, attempt=1)  # espeak-ng's voice over the composer's bed

    def test_image__no_keys(self, nokeys: Condition) -> None:
        item, route = nokeys.generate(GenerateRequest(kind="image", prompt="a coffee cup"))
        assert route is Route.CLOUD
        done = nokeys.made(item.media_id)
        # "None, with a warning": the item settles as failed, saying why and what to do.
        assert done.status is MediaStatus.FAILED
        assert done.error == (
            "image: SDXL: no GPU box here (this worker has no local models); "
            "Gemini image: GEMINI_API_KEY is not set; no still was made: use one of your own photos"
        )

    def test_clip__no_keys(self, nokeys: Condition) -> None:
        body = GenerateRequest(
            kind="clip", prompt="slow push in", source=nokeys.photo(3), duration_s=1, fps=24
        )
        item, route = nokeys.generate(body)
        assert route is Route.CLOUD
        done = nokeys.made(item.media_id)
        assert done.status is MediaStatus.READY, done.error
        assert done.kind is MediaKindName.VIDEO and done.made_by == "Ken Burns"
        assert done.warning == (
            "clip: Wan 2.1: no GPU box here (this worker has no local models); "
            "Veo: CS_VEO_MODEL is not set; a Ken Burns move on the still instead of an AI clip"
        )
        assert done.duration_ms == 1000


# -- the GPU box dies mid-task -----------------------------------------------------------------


class TestGpuDies:
    @pytest.fixture(scope="class")
    @classmethod
    def dies(
        cls, settings: Settings, servers: Servers, tmp_path_factory: pytest.TempPathFactory
    ) -> Iterator[Condition]:
        tmp = tmp_path_factory.mktemp("dies")
        with condition(settings, keyed(settings, servers), tmp, "dies") as c:
            yield c

    def kill_during(self, c: Condition, job: Job, name: str, box: ServiceProcess) -> None:
        """Wait until task ``name`` runs on ``box``, then SIGKILL the box's process group."""

        def on_box() -> bool:
            task = c.task(job.job_id, name)
            assert task.state is not tg.TaskState.DONE, f"{name} finished before the kill"
            return task.state is tg.TaskState.RUNNING and task.worker_id == box.name

        wait_for(f"{name} to run on {box.name}", on_box, timeout_s=120, every_s=0.05)
        os.killpg(box.pgid, signal.SIGKILL)

    def died(
        self, c: Condition, job_id: str, name: str, box: ServiceProcess
    ) -> tuple[Job, tg.Task]:
        job = c.finished(job_id)
        task = c.task(job_id, name)
        assert (task.route, task.worker_id, task.attempt) == (Route.CLOUD, c.cloud_id, 2)
        assert any(
            w.startswith(f"{name}: the GPU box could not do it (worker {box.name} stopped "
                         "responding during attempt 1)")
            for w in job.warnings
        ), job.warnings  # fmt: skip
        return job, task

    def box(self, c: Condition, servers: Servers, name: str) -> ServiceProcess:
        return start_worker(c.ports, c.tmp, f"gpu-dies-{name}", **box_env(servers, slow_link=name))

    def test_script__gpu_dies_mid_task(self, dies: Condition, servers: Servers) -> None:
        box = self.box(dies, servers, "script")
        try:
            job = dies.brief_job()
            self.kill_during(dies, job, tg.SCRIPT, box)
        finally:
            box.stop()
        _, task = self.died(dies, job.job_id, tg.SCRIPT, box)
        assert task.result["made_by"] == "Gemini" and task.result["script"] == DRAFT["script"]

    def test_voice__gpu_dies_mid_task(self, dies: Condition, servers: Servers) -> None:
        box = self.box(dies, servers, "voice")
        try:
            photo = dies.photo()
            job = dies.submit(tiny_timeline([photo, photo]), script=DRAFT["script"])
            self.kill_during(dies, job, tg.VOICE, box)
        finally:
            box.stop()
        _, task = self.died(dies, job.job_id, tg.VOICE, box)
        assert task.result["made_by"] == "ElevenLabs"

    def test_music__gpu_dies_mid_task(self, dies: Condition, servers: Servers) -> None:
        box = self.box(dies, servers, "music")
        try:
            photo = dies.photo()
            job = dies.submit(tiny_timeline([photo, photo]), script=None)
            self.kill_during(dies, job, tg.MUSIC, box)
        finally:
            box.stop()
        _, task = self.died(dies, job.job_id, tg.MUSIC, box)
        assert task.result["made_by"] == "ElevenLabs music"

    def test_render__gpu_dies_mid_task(self, dies: Condition, servers: Servers) -> None:
        box = self.box(dies, servers, "render")
        try:
            photo = dies.photo()
            job = dies.submit(tiny_timeline([photo, photo]), script=None)
            self.kill_during(dies, job, tg.RENDER, box)
        finally:
            box.stop()
        job, _ = self.died(dies, job.job_id, tg.RENDER, box)
        assert_rendered(dies, job, attempt=2)

    def generation_dies(
        self, c: Condition, servers: Servers, tiny_models: Path, body: GenerateRequest
    ) -> tuple[MediaItem, ServiceProcess]:
        env = box_env(servers) | models_env(tiny_models, steps=100_000)
        box = start_worker(c.ports, c.tmp, f"gpu-dies-{body.kind}", **env)
        try:
            item, route = c.generate(body)
            assert route is Route.GPU

            def on_box() -> bool:
                beat = c.ports.workers.get(box.name)
                return beat is not None and beat.current_task == f"media/{item.media_id}"

            wait_for("the generation to run on the box", on_box, timeout_s=60)
            os.killpg(box.pgid, signal.SIGKILL)
        finally:
            box.stop()
        return c.made(item.media_id, timeout_s=60), box

    def test_image__gpu_dies_mid_task(
        self, dies: Condition, servers: Servers, tiny_models: Path
    ) -> None:
        body = GenerateRequest(kind="image", prompt="a red shoe")
        done, box = self.generation_dies(dies, servers, tiny_models, body)
        assert done.status is MediaStatus.READY and done.made_by == "Gemini image"
        assert f"{box.name} stopped responding" in done.warning

    def test_clip__gpu_dies_mid_task(
        self, dies: Condition, servers: Servers, tiny_models: Path
    ) -> None:
        body = GenerateRequest(kind="clip", prompt="push in", source=dies.photo(5), duration_s=1)
        done, box = self.generation_dies(dies, servers, tiny_models, body)
        assert done.status is MediaStatus.READY and done.made_by == "Veo"
        assert f"{box.name} stopped responding" in done.warning
