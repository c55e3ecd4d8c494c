"""The CPU renderer on the emulators: its Pub/Sub push endpoint (as Cloud Run receives it), and
the whole pipeline with every message delivered twice (one result, nothing moves backwards)."""

from __future__ import annotations

import base64
import dataclasses
import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from functions_framework import create_app
from pydantic import BaseModel

from functions.cloud_render import build_loop
from shared.adapters.clients import GoogleClients
from shared.adapters.pubsub_bus import encode
from shared.jobs import EnginePreference, JobStatus
from shared.pipeline import taskgraph as tg
from shared.pipeline.messages import JobCreated, TaskCommand, TaskFinished, TaskKind
from shared.pipeline.ports import PipelineServices
from shared.pipeline.services import advance
from shared.ports import EventBus
from shared.settings import Settings
from shared.topology import JOB_EVENTS_AUDIT, ORCHESTRATOR
from tests.integration.pipeline_env import (
    FAST_ENV,
    REPO,
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

pytestmark = [pytest.mark.emulator, pytest.mark.ffmpeg]


@pytest.fixture
def ports(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[PipelineServices]:
    with pipeline_ports(settings) as ports:
        # What the deployed function reads from its environment: this test's topics.
        monkeypatch.setenv("CS_TOPIC_PREFIX", ports.settings.topic_prefix)
        for key, value in FAST_ENV.items():
            monkeypatch.setenv(key, value)
        yield ports


def push_body(message: BaseModel, message_id: str = "1") -> dict[str, Any]:
    data, attributes = encode(message)
    return {
        "message": {"data": base64.b64encode(data).decode(), "attributes": attributes,
                    "messageId": message_id, "publishTime": "2026-01-01T00:00:00Z"},
        "subscription": "projects/demo/subscriptions/cloud-render",
    }  # fmt: skip


def reports(ports: PipelineServices) -> list[TaskFinished]:
    sub = ports.settings.topic(ORCHESTRATOR)
    found = []
    while deliveries := ports.bus.pull(sub, max_messages=20, timeout_s=2):
        ports.bus.ack(sub, [d.ack_id for d in deliveries])
        found += [json.loads(d.data) for d in deliveries]
    return [TaskFinished.model_validate(m) for m in found if m["kind"] == "task_finished"]


def test_push_endpoint_runs_the_task_and_answers_redeliveries_from_the_result(
    ports: PipelineServices,
) -> None:
    job_id = submit(ports, tiny_timeline(["media:unused"]), engine=EnginePreference.CLOUD,
                    script=None).job_id  # fmt: skip
    advance(JobCreated(job_id=job_id), ports)  # music queued on tasks-cloud
    command = TaskCommand(job_id=job_id, task="music", task_kind=TaskKind.MUSIC, attempt=1,
                          route="cloud")  # fmt: skip
    client = create_app("cloud_render", str(REPO / "functions/cloud_render.py")).test_client()

    assert client.post("/", json=push_body(command, "m1")).status_code == 204
    assert client.post("/", json=push_body(command, "m2")).status_code == 204  # push retried
    first, second = reports(ports)
    assert first.result == second.result and first.result["uri"].endswith(".wav")
    assert first.worker_id.startswith("cloud-")
    task = ports.pipelines.get(job_id).task("music")
    assert (task.state, task.attempt) == (tg.TaskState.RUNNING, 1)  # until the orchestrator runs
    beat = ports.workers.get(first.worker_id)
    assert beat is not None and beat.route.value == "cloud"

    stale = command.model_copy(update={"attempt": 2})
    assert client.post("/", json=push_body(stale, "m3")).status_code == 204  # dropped
    assert client.post("/", json={"message": {"data": "%%%"}}).status_code == 204  # poison
    assert client.post("/", json={"no": "message"}).status_code == 204
    assert reports(ports) == []


class TwiceBus:
    """Every publish reaches the topic twice, as a publisher retry does."""

    def __init__(self, bus: EventBus) -> None:
        self._bus = bus

    def publish(
        self, topic: str, message: BaseModel, attributes: Mapping[str, str] | None = None
    ) -> str:
        self._bus.publish(topic, message, attributes)
        return self._bus.publish(topic, message, attributes)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._bus, name)


ORDER = {"pending": 0, "processing": 1, "done": 2}


@pytest.mark.slow
def test_every_message_twice_gives_one_result(ports: PipelineServices, tmp_path: Path) -> None:
    twice = dataclasses.replace(ports, bus=TwiceBus(ports.bus))
    photo = add_photo(ports, tmp_path, "alice")
    cloud_a = build_loop(twice, "cloud-a", pull_timeout_s=1.0)
    cloud_b = build_loop(twice, "cloud-b", pull_timeout_s=1.0)
    seen: list[tuple[int, float, int]] = []

    def sample() -> bool:
        job = ports.jobs.get(job_id)
        seen.append((ORDER[job.status.value], job.progress, job.version))
        return job.status.terminal

    with (
        running(orchestrator(twice)),
        running(worker_loop(cloud_a)),
        running(worker_loop(cloud_b)),
    ):
        job_id = submit(twice, tiny_timeline([photo, photo])).job_id
        wait_for("the job to end", sample, timeout_s=240, every_s=0.1)
    job = ports.jobs.get(job_id)
    assert job.status is JobStatus.DONE, job.error
    for column in zip(*seen, strict=True):  # status, progress, version: only ever forward
        assert list(column) == sorted(column)
    assert all(t.attempt == 1 for t in ports.pipelines.get(job_id).tasks)
    assert render_outputs(ports, job_id) == [
        f"previews/{job_id}/render-1.{ext}" for ext in ("mp4", "jpg", "json")
    ]
    sub = ports.settings.topic(JOB_EVENTS_AUDIT)
    events: dict[str, str] = {}
    while deliveries := ports.bus.pull(sub, max_messages=50, timeout_s=2):
        ports.bus.ack(sub, [d.ack_id for d in deliveries])
        for d in deliveries:
            event = json.loads(d.data)
            assert events.setdefault(event["id"], event["type"]) == event["type"]
    # Duplicates share an id, so a subscriber deduplicating on it sees each change once.
    assert sorted(events.values(), key=lambda t: ORDER[t.rsplit(".", 1)[1]]) == [
        "com.createstudio.job.pending", "com.createstudio.job.processing",
        "com.createstudio.job.done",
    ]  # fmt: skip


@pytest.mark.parametrize("case", ["another user's", "not validated"])
def test_a_job_cannot_use_media_it_may_not(
    ports: PipelineServices, tmp_path: Path, case: str
) -> None:
    photo = add_photo(ports, tmp_path, "alice")
    if case == "not validated":
        media = GoogleClients(ports.settings).firestore.collection("media")
        media.document(photo.removeprefix("media:")).update({"status": "pending"})
    uid = "bob" if case == "another user's" else "alice"
    cloud = build_loop(ports, "cloud-m", pull_timeout_s=1.0)
    with running(orchestrator(ports)), running(worker_loop(cloud)):
        job_id = submit(ports, tiny_timeline([photo]), uid=uid, script=None).job_id
        job = wait_for("the job to end",
                       lambda: (j := ports.jobs.get(job_id)) and j.status.terminal and j,
                       timeout_s=60)  # fmt: skip
    assert job.status is JobStatus.ERROR
    expected = "not found" if case == "another user's" else "not validated yet"
    assert job.error is not None and job.error.startswith("render failed: ")
    assert expected in job.error and photo in job.error
    assert ports.pipelines.get(job_id).task("render").attempt == 1  # permanent: not retried
    assert render_outputs(ports, job_id) == []
