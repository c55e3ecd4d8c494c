"""The sweeper on the emulators: work a GPU box announced but never started is routed again, and
a job whose JobCreated was lost between the write and the publish is sent again."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from functions.cloud_render import build_loop
from functions.sweeper import run_every
from shared.jobs import JobStatus, new_job
from shared.pipeline import taskgraph as tg
from shared.pipeline.heartbeat import Heartbeat
from shared.pipeline.messages import Route, TaskKind
from shared.pipeline.ports import PipelineServices
from shared.settings import Settings
from shared.timeline.validate import parse_timeline
from tests.integration.pipeline_env import (
    add_photo,
    orchestrator,
    pipeline_ports,
    render_outputs,
    running,
    submit,
    tiny_timeline,
    wait_for,
    worker_loop,
)

pytestmark = [pytest.mark.emulator, pytest.mark.ffmpeg, pytest.mark.slow]


def ghost_gpu(ports: PipelineServices) -> Callable[[threading.Event], None]:
    """A box whose heartbeat says it is online and pulling, but which never takes a task."""

    def beat(stop: threading.Event) -> None:
        started = datetime.now(UTC)
        while True:
            ports.workers.beat(
                Heartbeat(worker_id="ghost", route=Route.GPU, tasks=tuple(TaskKind),
                          started_at=started, last_pull_at=datetime.now(UTC))
            )  # fmt: skip
            if stop.wait(ports.config.heartbeat_s):
                return

    return beat


def test_gpu_work_never_started_is_routed_to_the_cloud(settings: Settings, tmp_path: Path) -> None:
    with pipeline_ports(settings) as ports:
        photo = add_photo(ports, tmp_path, "alice")
        cloud = build_loop(ports, "cloud-s1", pull_timeout_s=1.0)
        with (
            running(ghost_gpu(ports)),
            running(orchestrator(ports)),
            running(worker_loop(cloud)),
            running(lambda stop: run_every(ports, 1.0, stop)),
        ):
            wait_for("the ghost online", lambda: ports.online.online(), timeout_s=10)
            job_id = submit(ports, tiny_timeline([photo]), script=None).job_id
            wait_for(
                "music routed to the GPU",
                lambda: ports.pipelines.get(job_id).task("music").route is Route.GPU,
                timeout_s=20,
            )
            job = wait_for(
                "the job to end",
                lambda: (j := ports.jobs.get(job_id)) and j.status.terminal and j,
                timeout_s=120,
            )
    assert job.status is JobStatus.DONE, job.error
    graph = ports.pipelines.get(job_id)
    for task in graph.tasks:  # each went to the ghost first, then to the cloud
        assert (task.attempt, task.route, task.gpu_strikes) == (2, Route.CLOUD, 1), task
    started = [w for w in job.warnings if "no GPU box started it within 8 s" in w]
    assert len(started) == 2, job.warnings
    assert render_outputs(ports, job_id) == [
        f"previews/{job_id}/render-2.{ext}" for ext in ("mp4", "jpg", "json")
    ]


def test_a_lost_job_created_is_sent_again(settings: Settings, tmp_path: Path) -> None:
    with pipeline_ports(settings) as ports:
        photo = add_photo(ports, tmp_path, "alice")
        timeline = parse_timeline(tiny_timeline([photo]))
        now, job_id = datetime.now(UTC), f"lost-{uuid.uuid4().hex[:8]}"
        # What submit_job wrote before it died: the job and its graph, but no JobCreated.
        ports.jobs.create(new_job(job_id, "alice", now, timeline=timeline.model_dump(mode="json")))
        ports.pipelines.create(tg.plan(job_id, "alice", timeline, now))
        cloud = build_loop(ports, "cloud-s2", pull_timeout_s=1.0)
        with (
            running(orchestrator(ports)),
            running(worker_loop(cloud)),
            running(lambda stop: run_every(ports, 1.0, stop)),
        ):
            job = wait_for(
                "the job to end",
                lambda: (j := ports.jobs.get(job_id)) and j.status.terminal and j,
                timeout_s=120,
            )
        assert job.status is JobStatus.DONE, job.error
        assert ports.pipelines.get(job_id).announced
