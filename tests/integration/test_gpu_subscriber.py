"""gpu_subscriber as a real process on the emulators, rendering on this machine's CPU.

It announces no CUDA and takes the CPU-capable kinds, so jobs with engine "auto" are routed to it;
cancel and pause stop FFmpeg within two seconds; SIGTERM hands the task back; kill -9 mid-render is
recovered by the sweeper on the cloud CPU worker, with one output and a warning.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from functions.cloud_render import build_loop
from functions.sweeper import run_every
from shared.jobs import Job, JobStatus
from shared.localstack import ServiceProcess
from shared.pipeline import taskgraph as tg
from shared.pipeline.messages import CPU_KINDS, Route
from shared.pipeline.ports import PipelineServices
from shared.pipeline.services import cancel_job, pause_job, resume_job
from shared.settings import Settings
from tests.integration.pipeline_env import (
    FAST_ENV,
    REPO,
    add_photo,
    ffmpeg_children,
    orchestrator,
    pipeline_ports,
    render_outputs,
    running,
    start_worker,
    submit,
    tiny_timeline,
    wait_for,
    worker_loop,
)

pytestmark = [pytest.mark.emulator, pytest.mark.ffmpeg, pytest.mark.slow]

STOP_WITHIN_S = 2.0


@pytest.fixture
def ports(settings: Settings) -> Iterator[PipelineServices]:
    with pipeline_ports(settings) as ports:
        yield ports


@pytest.fixture
def subscriber(ports: PipelineServices, tmp_path: Path) -> Iterator[ServiceProcess]:
    proc = start_worker(ports, tmp_path, "gpu-a")
    yield proc
    proc.stop()


def long_job(ports: PipelineServices, tmp_path: Path) -> Job:
    """Long enough (48 s of video) to act on it mid-render; no script, so no voice task."""
    photos = [add_photo(ports, tmp_path, "alice", seed) for seed in (1, 2)]
    return submit(ports, tiny_timeline(photos * 4, clip_ms=6000), script=None)


def rendering(ports: PipelineServices, job_id: str) -> bool:
    return "Rendering video" in ports.jobs.get(job_id).step


def ended(ports: PipelineServices, job_id: str) -> Job | None:
    job = ports.jobs.get(job_id)
    return job if job.status.terminal else None


def seconds_until_no_ffmpeg(pid: int, timeout_s: float = 10.0) -> float:
    start = time.monotonic()
    wait_for("FFmpeg to stop", lambda: not ffmpeg_children(pid), timeout_s, every_s=0.05)
    return time.monotonic() - start


def check(worker_id: str, ports: PipelineServices) -> int:
    env = {**os.environ, **FAST_ENV, "CS_TOPIC_PREFIX": ports.settings.topic_prefix}
    argv = [sys.executable, "-m", "gpu_subscriber", "--check", "--worker-id", worker_id]
    return subprocess.run(argv, env=env, cwd=REPO, capture_output=True, timeout=60).returncode


def test_renders_a_job_routed_to_it(
    ports: PipelineServices, subscriber: ServiceProcess, tmp_path: Path
) -> None:
    beat = ports.workers.get("gpu-a")
    assert beat is not None and beat.route is Route.GPU
    assert (beat.cuda, beat.nvenc) == (False, False)  # this machine has no NVIDIA GPU
    assert set(beat.tasks) == set(CPU_KINDS)
    assert check("gpu-a", ports) == 0
    progress: list[float] = []

    def sample() -> Job | None:
        job = ports.jobs.get(job_id)
        progress.append(job.progress)
        return job if job.status.terminal else None

    with running(orchestrator(ports)):
        photo = add_photo(ports, tmp_path, "alice")
        job_id = submit(ports, tiny_timeline([photo, photo])).job_id
        job = wait_for("the job to end", sample, timeout_s=180, every_s=0.1)
    assert job.status is JobStatus.DONE, job.error
    assert progress == sorted(progress) and len(set(progress)) >= 3
    graph = ports.pipelines.get(job_id)
    assert {(t.route, t.worker_id, t.attempt) for t in graph.tasks} == {(Route.GPU, "gpu-a", 1)}
    assert not any("cloud" in w for w in job.warnings)  # nothing fell back
    assert render_outputs(ports, job_id) == [
        f"previews/{job_id}/render-1.{ext}" for ext in ("mp4", "jpg", "json")
    ]
    subscriber.stop()
    assert check("gpu-a", ports) == 1  # stopped: its last heartbeat says so


def test_cancel_stops_ffmpeg_and_leaves_no_output(
    ports: PipelineServices, subscriber: ServiceProcess, tmp_path: Path
) -> None:
    with running(orchestrator(ports)):
        job_id = long_job(ports, tmp_path).job_id
        wait_for("the render", lambda: rendering(ports, job_id), timeout_s=120, every_s=0.05)
        assert ffmpeg_children(subscriber.pid)
        cancel_job(job_id=job_id, uid="alice", jobs=ports.jobs, bus=ports.bus,
                   settings=ports.settings, now=ports.clock())  # fmt: skip
        assert seconds_until_no_ffmpeg(subscriber.pid) <= STOP_WITHIN_S
        wait_for("the worker to let go", lambda: ports.workers.get("gpu-a").current_task is None,
                 timeout_s=10)  # type: ignore[union-attr]  # fmt: skip
    assert ports.jobs.get(job_id).status is JobStatus.CANCELLED
    assert render_outputs(ports, job_id) == []
    assert not ports.pipelines.get(job_id).live


def test_pause_then_resume_finishes(
    ports: PipelineServices, subscriber: ServiceProcess, tmp_path: Path
) -> None:
    control = dict(uid="alice", jobs=ports.jobs, bus=ports.bus, settings=ports.settings)
    with running(orchestrator(ports)):
        job_id = long_job(ports, tmp_path).job_id
        wait_for("the render", lambda: rendering(ports, job_id), timeout_s=120, every_s=0.05)
        pause_job(job_id=job_id, now=ports.clock(), **control)  # type: ignore[arg-type]
        assert seconds_until_no_ffmpeg(subscriber.pid) <= STOP_WITHIN_S
        wait_for(
            "the task to be handed back",
            lambda: ports.pipelines.get(job_id).task(tg.RENDER).state is tg.TaskState.WAITING,
            timeout_s=10,
        )
        assert ports.jobs.get(job_id).status is JobStatus.PAUSED
        resume_job(job_id=job_id, now=ports.clock(), **control)  # type: ignore[arg-type]
        job = wait_for("the job to end", lambda: ended(ports, job_id), timeout_s=180)
    assert job.status is JobStatus.DONE, job.error
    task = ports.pipelines.get(job_id).task(tg.RENDER)
    assert (task.attempt, task.route, task.worker_id) == (2, Route.GPU, "gpu-a")
    assert render_outputs(ports, job_id) == [
        f"previews/{job_id}/render-2.{ext}" for ext in ("mp4", "jpg", "json")
    ]


def test_sigterm_hands_the_task_back(ports: PipelineServices, tmp_path: Path) -> None:
    # A grace period far shorter than the render: the hand-back, not the finish, is under test.
    subscriber = start_worker(ports, tmp_path, "gpu-a", CS_SHUTDOWN_GRACE_S="0.05")
    with running(orchestrator(ports)):
        job_id = long_job(ports, tmp_path).job_id
        wait_for("the render", lambda: rendering(ports, job_id), timeout_s=120, every_s=0.05)
        os.kill(subscriber.pid, signal.SIGTERM)
        wait_for("the subscriber to exit", lambda: not subscriber.running(), timeout_s=15)
        subscriber.stop()  # reaps it
        task = ports.pipelines.get(job_id).task(tg.RENDER)
        assert (task.state, task.attempt, task.worker_id) == (tg.TaskState.QUEUED, 1, None)
        assert "worker stopped" in subscriber.log_tail(200)
        successor = start_worker(ports, tmp_path, "gpu-b")  # the nacked message comes back
        try:
            job = wait_for("the job to end", lambda: ended(ports, job_id), timeout_s=180)
        finally:
            successor.stop()
    assert job.status is JobStatus.DONE, job.error
    task = ports.pipelines.get(job_id).task(tg.RENDER)
    assert (task.attempt, task.worker_id) == (1, "gpu-b")
    assert len(render_outputs(ports, job_id)) == 3


def test_kill_9_mid_render_finishes_on_the_cloud_worker(
    ports: PipelineServices, subscriber: ServiceProcess, tmp_path: Path
) -> None:
    cloud = build_loop(ports, "cloud-k9", pull_timeout_s=1.0)
    with (
        running(orchestrator(ports)),
        running(worker_loop(cloud)),
        running(lambda stop: run_every(ports, 1.0, stop)),
    ):
        job_id = long_job(ports, tmp_path).job_id
        wait_for("the render", lambda: rendering(ports, job_id), timeout_s=120, every_s=0.05)
        assert ports.pipelines.get(job_id).task(tg.RENDER).worker_id == "gpu-a"
        os.killpg(subscriber.pgid, signal.SIGKILL)
        job = wait_for("the job to end", lambda: ended(ports, job_id), timeout_s=240)
    assert job.status is JobStatus.DONE, job.error
    task = ports.pipelines.get(job_id).task(tg.RENDER)
    assert (task.attempt, task.route, task.worker_id) == (2, Route.CLOUD, "cloud-k9")
    assert any("gpu-a stopped responding" in w for w in job.warnings), job.warnings
    assert render_outputs(ports, job_id) == [
        f"previews/{job_id}/render-2.{ext}" for ext in ("mp4", "jpg", "json")
    ]
