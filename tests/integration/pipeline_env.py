"""One pipeline per test on the emulators: its own topic prefix (so no queue is shared), its
own workers, and helpers to submit a tiny job, run the orchestrator and follow the job."""

from __future__ import annotations

import dataclasses
import os
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import psutil

from examples.make_media import draw_photo
from functions.orchestrator import pull_worker
from shared.adapters.clients import GoogleClients
from shared.adapters.provisioning import ensure_topology
from shared.jobs import EnginePreference, Job
from shared.localstack import Endpoint, RunningStack, Service, ServiceProcess
from shared.localstack.net import free_port
from shared.localstack.pipeline_services import start_pipeline
from shared.pipeline.bootstrap import build
from shared.pipeline.media_item import MediaItem, MediaKindName, MediaStatus
from shared.pipeline.ports import PipelineConfig, PipelineServices
from shared.pipeline.services import submit_job
from shared.pipeline.worker_loop import WorkerLoop
from shared.settings import Settings
from shared.timeline.validate import parse_timeline

T = TypeVar("T")

FAST = PipelineConfig(
    heartbeat_s=1.0,
    stale_after_s=4.0,
    online_cache_s=0.5,
    gpu_start_deadline_s=8.0,
    queue_deadline_s=30.0,
    announce_deadline_s=5.0,
    progress_every_s=0.25,
    watch_every_s=0.25,
    shutdown_grace_s=0.5,
)
# The same timings for worker subprocesses.
FAST_ENV = {
    "CS_HEARTBEAT_S": "1", "CS_WORKER_STALE_S": "4", "CS_ONLINE_CACHE_S": "0.5",
    "CS_GPU_START_DEADLINE_S": "8", "CS_QUEUE_DEADLINE_S": "30", "CS_ANNOUNCE_DEADLINE_S": "5",
    "CS_PROGRESS_EVERY_S": "0.25", "CS_WATCH_EVERY_S": "0.25", "CS_SHUTDOWN_GRACE_S": "0.5",
}  # fmt: skip


@contextmanager
def pipeline_ports(settings: Settings, config: PipelineConfig = FAST) -> Iterator[PipelineServices]:
    prefix = f"p{uuid.uuid4().hex[:8]}-"
    scoped = dataclasses.replace(settings, topic_prefix=prefix)
    clients = GoogleClients(scoped)
    ensure_topology(scoped, publisher=clients.publisher, subscriber=clients.subscriber)
    try:
        yield build(scoped, config, clients)
    finally:
        clients.close()


@contextmanager
def pipeline_processes(
    stack: RunningStack, sweep_every_s: float = 2.0
) -> Iterator[tuple[Endpoint, PipelineServices]]:
    """What `createstudio dev` runs beside the emulators (gateway, orchestrator, workers,
    sweeper) as real processes on topics of their own, with the FAST timings; the gateway's
    address and the ports on the same topics. Stopped (and dropped from the stack) after."""
    with pipeline_ports(stack.settings) as ports:
        gateway = Endpoint("127.0.0.1", free_port())
        env = {**FAST_ENV, "CS_TOPIC_PREFIX": ports.settings.topic_prefix}
        procs = start_pipeline(stack, gateway, sweep_every_s=sweep_every_s, env=env)
        try:
            yield gateway, ports
        finally:
            for proc in reversed(procs):
                proc.stop()
                stack.processes.remove(proc)


def wait_for(what: str, check: Callable[[], T | None], timeout_s: float, every_s: float = 0.2) -> T:
    deadline = time.monotonic() + timeout_s
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout_s} s waiting for {what}")
        time.sleep(every_s)


@contextmanager
def running(target: Callable[[threading.Event], Any]) -> Iterator[threading.Event]:
    """Run ``target(stop)`` in a thread for the block; stop and join it afterwards."""
    stop = threading.Event()
    thread = threading.Thread(target=target, args=(stop,), daemon=True)
    thread.start()
    try:
        yield stop
    finally:
        stop.set()
        thread.join(timeout=60)


def orchestrator(ports: PipelineServices) -> Callable[[threading.Event], None]:
    worker = pull_worker(ports)
    return lambda stop: worker.run(stop, poll_s=1.0)


def worker_loop(loop: WorkerLoop) -> Callable[[threading.Event], None]:
    def run(stop: threading.Event) -> None:
        threading.Thread(target=lambda: (stop.wait(), loop.worker.stop.set()), daemon=True).start()
        loop.run()

    return run


def add_photo(ports: PipelineServices, tmp: Path, uid: str, seed: int = 1) -> str:
    """A ready photo in ``uid``'s library; returns its ``media:`` source."""
    media_id = f"m{uuid.uuid4().hex[:12]}"
    path = tmp / f"{media_id}.jpg"
    draw_photo(seed, 480, 270).save(path, "JPEG", quality=85)
    name = f"uploads/{uid}/{media_id}.jpg"
    ports.media_files.upload_file(name, path, "image/jpeg")
    item = MediaItem(
        media_id=media_id, uid=uid, kind=MediaKindName.IMAGE, status=MediaStatus.READY,
        object_name=name, content_type="image/jpeg", size_bytes=path.stat().st_size,
        width=480, height=270, created_at=datetime.now(UTC),
    )  # fmt: skip
    db = GoogleClients(ports.settings).firestore
    db.collection("media").document(media_id).set(item.model_dump())
    return item.source


def tiny_timeline(sources: list[str], clip_ms: int = 1000) -> dict[str, Any]:
    return {
        "format": {"aspect": "16:9", "fps": 24, "quality": "preview"},
        "video": [{"kind": "photo", "source": s, "duration_ms": clip_ms} for s in sources],
        "texts": [{"role": "title", "text": "Harbor Bakery", "start_ms": 0, "end_ms": 800}],
    }


def submit(
    ports: PipelineServices,
    timeline: dict[str, Any],
    uid: str = "alice",
    engine: EnginePreference = EnginePreference.AUTO,
    script: str | None = "Fresh bread every day",
) -> Job:
    return submit_job(
        uid=uid, brand_name="Harbor Bakery", timeline=parse_timeline(timeline), engine=engine,
        job_id=f"job-{uuid.uuid4().hex[:10]}", jobs=ports.jobs, pipelines=ports.pipelines,
        bus=ports.bus, settings=ports.settings, now=datetime.now(UTC), script=script,
    )  # fmt: skip


REPO = Path(__file__).resolve().parents[2]


def start_worker(
    ports: PipelineServices,
    workdir: Path,
    worker_id: str,
    module: str = "gpu_subscriber",
    **extra_env: str,
) -> ServiceProcess:
    """``python -m <module>`` as a real process on this test's topics, ready once it pulls."""
    env = {
        **os.environ, **FAST_ENV, "CS_TOPIC_PREFIX": ports.settings.topic_prefix,
        "CS_WORKER_ID": worker_id, "CS_WORK_DIR": str(workdir / "work"),
        "PYTHONPATH": str(REPO), **extra_env,
    }  # fmt: skip

    def ready() -> bool:
        beat = ports.workers.get(worker_id)
        return beat is not None and beat.last_pull_at is not None and not beat.stopping

    service = Service(
        name=worker_id, argv=(sys.executable, "-m", module), ready=ready, startup_timeout_s=60
    )
    proc = ServiceProcess.start(service, workdir / worker_id, env)
    proc.wait_ready(poll_s=0.2)
    return proc


def ffmpeg_children(pid: int) -> list[psutil.Process]:
    try:
        children = psutil.Process(pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []
    found = []
    for child in children:
        try:
            if "ffmpeg" in child.name().lower():
                found.append(child)
        except psutil.NoSuchProcess:
            continue
    return found


def render_outputs(ports: PipelineServices, job_id: str, attempts: int = 4) -> list[str]:
    """The render objects that exist for the job's first ``attempts`` attempts."""
    names = [
        f"previews/{job_id}/render-{n}.{ext}"
        for n in range(1, attempts + 1)
        for ext in ("mp4", "jpg", "json")
    ]
    return [name for name in names if ports.renders.exists(name)]
