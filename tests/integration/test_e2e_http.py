"""Submit -> done over HTTP, through every real process of the local pipeline.

On the session stack, this module starts what `createstudio dev` starts beside the emulators
(pipeline_services: gateway, orchestrator, CPU renderer, gpu_subscriber, sweeper) on a topic
prefix of its own, then drives them only over HTTP, as the editor does, and watches the job
document with a Firestore listener.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from google.cloud.firestore_v1.base_query import FieldFilter

from examples.make_media import draw_photo
from shared.adapters.clients import GoogleClients
from shared.jobs import JobStatus
from shared.localstack import Endpoint, RunningStack
from shared.localstack.api_client import ApiClient, ApiError
from shared.localstack.net import free_port
from shared.localstack.pipeline_services import start_pipeline
from shared.pipeline.ports import PipelineServices
from shared.render.media.probe import probe_streams
from shared.timeline.validate import parse_timeline
from tests.integration.http_helpers import PASSWORD, new_user
from tests.integration.pipeline_env import FAST_ENV, pipeline_ports, wait_for

pytestmark = [pytest.mark.emulator, pytest.mark.ffmpeg, pytest.mark.slow]

FPS = 24


@pytest.fixture(scope="module")
def pipeline(stack: RunningStack) -> Iterator[tuple[str, PipelineServices]]:
    """The pipeline's processes on this module's own topics; the gateway's URL and the ports."""
    with pipeline_ports(stack.settings) as ports:
        gateway = Endpoint("127.0.0.1", free_port())
        env = {**FAST_ENV, "CS_TOPIC_PREFIX": ports.settings.topic_prefix}
        procs = start_pipeline(stack, gateway, sweep_every_s=2.0, env=env)
        try:
            yield gateway.url, ports
        finally:
            for proc in reversed(procs):
                proc.stop()
                stack.processes.remove(proc)


def signed_in(url: str) -> tuple[ApiClient, str]:
    api = ApiClient(url)
    return api, api.login(new_user("e2e"), PASSWORD)


def upload_photos(api: ApiClient, tmp_path: Path, count: int) -> list[str]:
    sources = []
    for seed in range(count):
        path = tmp_path / f"photo-{seed}.jpg"
        draw_photo(seed, 320, 180).save(path, "JPEG", quality=85)
        sources.append(str(api.upload(path)["source"]))
    return sources


def tiny_ad(sources: list[str]) -> dict[str, Any]:
    return {
        "format": {"aspect": "16:9", "fps": FPS, "quality": "preview"},
        "video": [
            {"kind": "photo", "source": s, "duration_ms": 1500,
             "transition": {"type": "fade", "duration_ms": 250}}
            for s in sources
        ],
        "texts": [{"role": "title", "text": "Harbor Bakery", "start_ms": 0, "end_ms": 1000}],
    }  # fmt: skip


def test_submit_over_http_until_done(
    pipeline: tuple[str, PipelineServices], stack: RunningStack, tmp_path: Path
) -> None:
    url, ports = pipeline
    alice, uid = signed_in(url)
    sources = upload_photos(alice, tmp_path, 2)
    timeline = tiny_ad(sources)

    db = GoogleClients(stack.settings).firestore
    seen: list[dict[str, Any]] = []
    lock = threading.Lock()

    listening = threading.Event()

    def record(docs: list[Any], changes: Any, read_time: Any) -> None:
        with lock:
            seen.extend(doc.to_dict() for doc in docs)
        listening.set()

    # Listening before the submission, on the user's jobs: the pending state is seen too.
    mine = db.collection("jobs").where(filter=FieldFilter("uid", "==", uid))
    watch = mine.on_snapshot(record)
    try:
        assert listening.wait(30), "the Firestore listener never delivered its first snapshot"
        brief = {"brand": "Harbor Bakery", "business": "a bakery", "duration_s": 5}
        job = alice.submit("Harbor Bakery", timeline, brief=brief)
        job_id = job["job_id"]
        assert job["status"] == "pending"

        def ended() -> dict[str, Any] | None:
            with lock:
                last = [s for s in seen if s["job_id"] == job_id][-1:]
            return last[0] if last and last[0]["status"] in ("done", "error", "cancelled") else None

        final = wait_for(f"job {job_id} to end", ended, timeout_s=180, every_s=0.3)
    finally:
        watch.unsubscribe()
    assert final["status"] == "done", final

    with lock:
        states = [s for s in seen if s["job_id"] == job_id]
    walked = [s["status"] for s in states]
    assert [v for i, v in enumerate(walked) if i == 0 or walked[i - 1] != v] == [
        JobStatus.PENDING.value, JobStatus.PROCESSING.value, JobStatus.DONE.value,
    ], walked  # fmt: skip
    progress = [s["progress"] for s in states]
    assert progress == sorted(progress) and progress[-1] == 100, progress
    assert len({p for p in progress if 0 < p < 100}) >= 2, progress  # it rose in steps
    steps = list(dict.fromkeys(s["step"] for s in states))
    assert any("Rendering" in step for step in steps), steps
    assert len(steps) >= 4, steps
    warnings = final["warnings"]
    assert any(w.startswith("script: Ollama: CS_OLLAMA_HOST is not set") for w in warnings)
    assert any(w.startswith("voice: ElevenLabs: key not set") for w in warnings), warnings
    assert any(
        w.startswith("music: ACE-Step: ") and "made by the offline composer" in w for w in warnings
    ), warnings

    # The MP4 is in GCS, and its duration is the timeline's, within one frame.
    output = final["output"]
    video_name = output["video_uri"].removeprefix(f"gs://{ports.renders.bucket}/")
    assert ports.renders.exists(video_name)
    links = alice.job(job_id)["download"]
    video = alice.download(links["video_url"], tmp_path / "out.mp4")
    facts = probe_streams(video)
    expected_ms = parse_timeline(timeline).duration_ms
    assert facts.video is not None and facts.audio is not None
    assert abs(facts.video.duration_ms - expected_ms) <= 1000 / FPS, (facts, expected_ms)
    assert abs(output["duration_ms"] - expected_ms) <= 1000 / FPS

    # Another user: 404 over HTTP, refused by the rules with their own Firestore token.
    bob, _ = signed_in(url)
    with pytest.raises(ApiError) as refused:
        bob.job(job_id)
    assert refused.value.status == 404
    media_id = sources[0].removeprefix("media:")
    with pytest.raises(ApiError) as refused:
        bob.call("POST", f"/api/media/{media_id}/register")
    assert refused.value.status == 404
    assert bob.firestore is not None and alice.firestore is not None
    assert bob.firestore.fetch(f"jobs/{job_id}").status_code == 403
    assert alice.firestore.document(f"jobs/{job_id}")["status"] == "done"
