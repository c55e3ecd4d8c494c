"""The orchestrator on the emulators: a job walks created -> voice + music -> render -> done with
an MP4 in GCS whose duration matches, and every status change is a CloudEvent on job-events."""

from __future__ import annotations

import base64
import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from cloudevents.conversion import to_binary
from cloudevents.http import CloudEvent
from functions_framework import create_app

from functions.cloud_render import build_loop
from shared.adapters.pubsub_bus import encode
from shared.jobs import JobStatus
from shared.pipeline import taskgraph as tg
from shared.pipeline.messages import JobCreated, Route
from shared.pipeline.ports import PipelineServices
from shared.render.media.probe import probe_streams
from shared.settings import Settings
from shared.timeline.validate import parse_timeline
from shared.topology import JOB_EVENTS_AUDIT, JOBS
from tests.integration.pipeline_env import (
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


@pytest.mark.slow
def test_job_walks_to_done_with_a_checked_mp4(settings: Settings, tmp_path: Path) -> None:
    with pipeline_ports(settings) as ports:
        photos = [add_photo(ports, tmp_path, "alice", seed) for seed in (1, 2)]
        timeline = tiny_timeline(photos)
        cloud = build_loop(ports, "cloud-test-1", pull_timeout_s=1.0)
        seen: list[tuple[str, float, str]] = []

        def sample() -> bool:
            job = ports.jobs.get(job_id)
            if not seen or seen[-1] != (job.status.value, job.progress, job.step):
                seen.append((job.status.value, job.progress, job.step))
            return job.status.terminal

        with running(orchestrator(ports)), running(worker_loop(cloud)):
            job_id = submit(ports, timeline).job_id
            wait_for("the job to end", sample, timeout_s=240, every_s=0.1)

        job = ports.jobs.get(job_id)
        assert job.status is JobStatus.DONE, (job.error, seen)
        statuses = [s for s, _, _ in seen]
        assert statuses[0] in ("pending", "processing") and statuses[-1] == "done"
        assert "done" not in statuses[:-1]
        progress = [p for _, p, _ in seen]
        assert progress == sorted(progress) and len(set(progress)) >= 4
        assert any("Rendering video" in step for _, _, step in seen)
        assert any(w.startswith("voice: ElevenLabs: key not set") for w in job.warnings)
        assert any(w.startswith("music: ACE-Step: ") for w in job.warnings), job.warnings
        assert any("using the cloud CPU worker" in w for w in job.warnings)

        assert job.output is not None
        expected_ms = parse_timeline(timeline).duration_ms
        name = job.output.video_uri.removeprefix(f"gs://{ports.renders.bucket}/")
        local = ports.renders.download_file(name, tmp_path / "out.mp4")
        facts = probe_streams(local)
        assert facts.video is not None and facts.audio is not None
        assert abs(facts.video.duration_ms - expected_ms) <= 1000 / 24 + 1
        assert job.output.size_bytes == local.stat().st_size
        assert name == f"previews/{job_id}/render-1.mp4"

        graph = ports.pipelines.get(job_id)
        assert not graph.live and all(t.attempt == 1 for t in graph.tasks)
        assert {t.route for t in graph.tasks} == {Route.CLOUD}

        events = _events(ports, job_id)
        assert [e["type"].rsplit(".", 1)[1] for e in events] == ["pending", "processing", "done"]
        assert events[-1]["data"]["output"]["video_uri"] == job.output.video_uri


def _events(ports: PipelineServices, job_id: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    sub = ports.settings.topic(JOB_EVENTS_AUDIT)
    while deliveries := ports.bus.pull(sub, max_messages=50, timeout_s=2):
        ports.bus.ack(sub, [d.ack_id for d in deliveries])
        found += [json.loads(d.data) for d in deliveries]
    mine = [e for e in found if e["subject"] == f"jobs/{job_id}"]
    return sorted(mine, key=lambda e: int(e["data"]["version"]))


def test_cloud_event_entry_point_advances_the_job(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The deployed signature: an Eventarc Pub/Sub CloudEvent carrying JobCreated."""
    with pipeline_ports(settings) as ports:
        monkeypatch.setenv("CS_TOPIC_PREFIX", ports.settings.topic_prefix)
        job_id = submit(ports, tiny_timeline(["media:x"]), script=None).job_id
        app = create_app("orchestrator", str(REPO / "functions/orchestrator.py"), "cloudevent")
        data, attributes = encode(JobCreated(job_id=job_id))
        event = CloudEvent(
            {"type": "google.cloud.pubsub.topic.v1.messagePublished",
             "source": f"//pubsub.googleapis.com/projects/p/topics/{JOBS}"},
            {"message": {"data": base64.b64encode(data).decode(), "attributes": attributes,
                         "messageId": "7"}, "subscription": "projects/p/subscriptions/s"},
        )  # fmt: skip
        headers, body = to_binary(event)
        client = app.test_client()
        assert client.post("/", headers=headers, data=body).status_code == 200
        assert ports.jobs.get(job_id).status is JobStatus.PROCESSING
        music = ports.pipelines.get(job_id).task("music")
        assert (music.state, music.attempt, music.route) == (tg.TaskState.QUEUED, 1, Route.CLOUD)
        headers, body = to_binary(CloudEvent(event.get_attributes(), {"message": {"data": "!"}}))
        assert client.post("/", headers=headers, data=body).status_code == 200  # poison: acked


@pytest.mark.slow
def test_twenty_jobs_at_once_all_finish_once(settings: Settings, tmp_path: Path) -> None:
    with pipeline_ports(settings) as ports:
        photo = add_photo(ports, tmp_path, "alice")
        timeline = tiny_timeline([photo], clip_ms=600) | {"texts": []}
        loops = [build_loop(ports, f"cloud-many-{n}", pull_timeout_s=1.0) for n in range(2)]
        with (
            running(orchestrator(ports)),
            running(worker_loop(loops[0])),
            running(worker_loop(loops[1])),
        ):
            with ThreadPoolExecutor(max_workers=20) as pool:
                job_ids = list(pool.map(lambda _: submit(ports, timeline).job_id, range(20)))

            def all_ended() -> bool:
                return all(ports.jobs.get(j).status.terminal for j in job_ids)

            wait_for("20 jobs to end", all_ended, timeout_s=480, every_s=1.0)
        assert len(set(job_ids)) == 20
        for job_id in job_ids:
            job = ports.jobs.get(job_id)
            assert job.status is JobStatus.DONE, (job_id, job.error)
            assert all(t.attempt == 1 for t in ports.pipelines.get(job_id).tasks)
            assert render_outputs(ports, job_id, attempts=2) == [
                f"previews/{job_id}/render-1.{ext}" for ext in ("mp4", "jpg", "json")
            ]
