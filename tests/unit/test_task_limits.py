"""One job must not take the machine: the worker's memory ceiling (its FFmpeg children, its own
growth) and how fast a cancel stops the work (issue 13, item 1)."""

from __future__ import annotations

import dataclasses
import subprocess
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import imageio_ffmpeg
import numpy as np
import psutil
import pytest

from shared import processes
from shared.errors import Cancelled, RenderFailed
from shared.jobs import EnginePreference
from shared.pipeline.executors import TaskContext
from shared.pipeline.memory_guard import MemoryGuard
from shared.pipeline.messages import JobCreated, TaskCommand, TaskFailed, TaskFinished, TaskKind
from shared.pipeline.ports import PipelineConfig, PipelineServices
from shared.pipeline.services import advance, cancel_job, submit_job
from shared.pipeline.worker import EXIT_OVER_MEMORY, TaskWorker
from shared.render.graph.plan import InputSpec, RenderPlan
from shared.render.media.loudness import measure_loudness
from shared.render.run.runner import run_plan
from shared.timeline.validate import parse_timeline
from tests.fakes import RecordingEventBus
from tests.pipeline_fakes import fake_services

FFMPEG = imageio_ffmpeg.get_ffmpeg_exe()
CEILING_MB = 150


@pytest.fixture(autouse=True)
def no_ceiling_after() -> Iterator[None]:
    """A worker sets the ceiling for the whole process: leave none behind for other tests."""
    yield
    processes.limit_children(None)


def hungry_plan(size: str = "1280x720") -> RenderPlan:
    """``reverse`` holds every frame until the input ends: 75 RGBA frames of 3.7 MB, 276 MB."""
    return RenderPlan(
        inputs=(InputSpec(f"color=c=red:s={size}:r=25:d=3", ("-f", "lavfi")),),
        filter_graph="[0:v]format=rgba,reverse,scale=64:64,format=yuv420p[v]",
        output_args=("-map", "[v]", "-c:v", "mpeg4", "-f", "mp4"),
        duration_ms=3000, frame_count=75,
    )  # fmt: skip


@pytest.mark.ffmpeg
def test_an_ffmpeg_over_the_ceiling_fails_its_render_and_one_under_it_runs(
    tmp_path: Path,
) -> None:
    run_plan(hungry_plan(), tmp_path / "free.mp4")  # no ceiling: it renders
    processes.limit_children(CEILING_MB)
    with pytest.raises(RenderFailed, match="FFmpeg exited with code"):
        run_plan(hungry_plan(), tmp_path / "limited.mp4")
    assert not (tmp_path / "limited.mp4").exists()
    run_plan(hungry_plan("64x64"), tmp_path / "small.mp4")  # normal work is left alone


def test_every_child_gets_the_ceiling_as_its_data_limit() -> None:
    processes.limit_children(CEILING_MB)
    done = processes.run(
        ["python3", "-c", "import resource; print(resource.getrlimit(resource.RLIMIT_DATA)[0])"],
        timeout_s=30, text=True,
    )  # fmt: skip
    assert int(done.stdout) == CEILING_MB * 1024 * 1024


# --- the worker's own memory -------------------------------------------------------------------


class Hungry:
    """A music task that keeps growing: 20 MB every 20 ms, up to 600 MB, looking at the cancel
    event between blocks as every loop of ours does (``obeys``) or not at all."""

    def __init__(self, obeys: bool = True) -> None:
        self.obeys = obeys
        self.blocks: list[np.ndarray] = []
        self.release = threading.Event()

    def existing(self, ctx: TaskContext) -> dict[str, str] | None:
        return None

    def run(self, ctx: TaskContext) -> dict[str, str]:
        for _ in range(30):
            if self.obeys and ctx.cancel.is_set():
                self.blocks.clear()
                raise Cancelled("music: cancelled")
            self.blocks.append(np.ones(20 * 1024 * 1024 // 8))
            time.sleep(0.02)
        self.release.wait(10)  # stuck: holds it all until the process "exits"
        self.blocks.clear()
        return {"uri": "gs://renders/m.wav"}

    def discard(self, ctx: TaskContext) -> None:
        pass


def job_with_music_task(ports: PipelineServices) -> TaskCommand:
    timeline = parse_timeline({
        "kind": "ad", "format": {"aspect": "9:16"}, "texts": [],
        "video": [{"kind": "photo", "source": "gs://renders/a.jpg", "duration_ms": 3000}],
    })  # fmt: skip
    submit_job(
        uid="alice", brand_name="B", job_id="j1", engine=EnginePreference.AUTO, timeline=timeline,
        jobs=ports.jobs, pipelines=ports.pipelines, bus=ports.bus, settings=ports.settings,
        now=datetime.now(UTC),
    )  # fmt: skip
    advance(JobCreated(job_id="j1"), ports)
    bus = ports.bus
    assert isinstance(bus, RecordingEventBus)
    return next(
        m for m in bus.messages("tasks-cloud") + bus.messages("tasks-gpu")
        if isinstance(m, TaskCommand) and m.task == "music"
    )  # fmt: skip


def ceiling_services(**config: float) -> PipelineServices:
    ports = fake_services()
    settings = dataclasses.replace(ports.settings, task_memory_mb=CEILING_MB)
    return dataclasses.replace(ports, settings=settings, config=PipelineConfig(**config))


def failures(ports: PipelineServices) -> list[TaskFailed]:
    bus = ports.bus
    assert isinstance(bus, RecordingEventBus)
    return [m for m in bus.messages("jobs") if isinstance(m, TaskFailed)]


def test_a_task_over_the_ceiling_is_stopped_and_fails_in_words(tmp_path: Path) -> None:
    ports = ceiling_services()
    command = job_with_music_task(ports)
    task = Hungry()
    worker = TaskWorker(ports, {TaskKind.MUSIC: task}, "w1", where="here", work_dir=tmp_path)
    started = time.monotonic()
    worker.handle(command)
    assert time.monotonic() - started < 5
    [failed] = failures(ports)
    assert not failed.retryable
    assert failed.error.startswith(f"the music task used more than {CEILING_MB} MB")
    assert "the worker's memory ceiling" in failed.error
    bus = ports.bus
    assert isinstance(bus, RecordingEventBus)
    assert not [m for m in bus.messages("jobs") if isinstance(m, TaskFinished)]
    advance(failed, ports)
    job = ports.jobs.get("j1")
    assert job.status.value == "error" and f"more than {CEILING_MB} MB" in (job.error or "")


def test_a_task_over_the_ceiling_that_does_not_stop_ends_the_worker(tmp_path: Path) -> None:
    ports = ceiling_services()
    command = job_with_music_task(ports)
    task = Hungry(obeys=False)
    exits: list[int] = []

    def exit_process(code: int) -> None:  # the real one is os._exit
        exits.append(code)
        task.release.set()

    worker = TaskWorker(
        ports, {TaskKind.MUSIC: task}, "w1", where="here", work_dir=tmp_path,
        exit_process=exit_process,
    )  # fmt: skip
    worker.handle(command)
    assert exits == [EXIT_OVER_MEMORY]
    assert failures(ports)[0].error.startswith("the music task used more than")


def test_the_guard_counts_growth_over_the_start() -> None:
    sizes = iter([1000 * 2**20, 1040 * 2**20, 1200 * 2**20])
    seen: list[int] = []
    with MemoryGuard(
        100, exceeded=seen.append, stuck=seen.append, every_s=0.01,
        measure=lambda: next(sizes, 1200 * 2**20),
    ) as guard:  # fmt: skip
        deadline = time.monotonic() + 5
        while not seen and time.monotonic() < deadline:
            time.sleep(0.01)
    assert seen[0] == 200 * 2**20 and guard.tripped == 200 * 2**20


# --- cancel latency ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def long_mix(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 10-minute stereo WAV: measuring its loudness takes FFmpeg several seconds."""
    path = tmp_path_factory.mktemp("long") / "mix.wav"
    subprocess.run(
        [FFMPEG, "-v", "error", "-f", "lavfi", "-i", "sine=f=220:sample_rate=48000:d=600",
         "-ac", "2", "-c:a", "pcm_s16le", str(path)],
        check=True, timeout=120,
    )  # fmt: skip
    return path


def ffmpeg_children() -> list[psutil.Process]:
    return [p for p in psutil.Process().children(recursive=True) if "ffmpeg" in p.name()]


class Measuring:
    """A render step that measures a long mix's loudness (as render_audio does)."""

    def __init__(self, mix: Path) -> None:
        self.mix = mix
        self.started = threading.Event()

    def existing(self, ctx: TaskContext) -> dict[str, str] | None:
        return None

    def run(self, ctx: TaskContext) -> dict[str, str]:
        self.started.set()
        measure_loudness(self.mix, cancel=ctx.cancel)
        return {"uri": "gs://renders/m.wav"}

    def discard(self, ctx: TaskContext) -> None:
        pass


@pytest.mark.ffmpeg
def test_cancel_stops_a_long_loudness_pass_within_two_seconds(
    tmp_path: Path, long_mix: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ports = fake_services()
    command = job_with_music_task(ports)
    task = Measuring(long_mix)
    worker = TaskWorker(ports, {TaskKind.MUSIC: task}, "w1", where="here", work_dir=tmp_path)
    running = threading.Thread(target=worker.handle, args=(command,))
    running.start()
    assert task.started.wait(10)
    time.sleep(0.5)
    assert ffmpeg_children(), "the loudness pass should be running"
    cancelled_at = time.monotonic()
    cancel_job(
        job_id="j1", uid="alice", jobs=ports.jobs, bus=ports.bus, settings=ports.settings,
        now=datetime.now(UTC),
    )  # fmt: skip
    running.join(timeout=10)
    latency = time.monotonic() - cancelled_at
    assert not running.is_alive()
    assert latency < 2.0, f"the task stopped {latency:.2f} s after the cancel"
    assert ffmpeg_children() == []
    assert failures(ports) == []  # a cancelled task reports nothing
    with capsys.disabled():
        print(f"\ncancel latency (job cancelled -> task ended, FFmpeg gone): {latency:.2f} s")
