"""A long timeline rendered by two real worker processes (``python -m functions.cloud_render``)
on the emulators: segments fan out, the join has no seam, a killed worker's segment is retried
alone elsewhere, an edit re-renders only its segment, and cancel reaches every segment.

Small sizes: a 'long' timeline here is 8 s cut into 4 segments (CS_LONGFORM_AFTER_MS and
CS_SEGMENT_MS of the submitting side); the measured sizes are in bench/longform.py.
"""

from __future__ import annotations

import dataclasses
import os
import signal
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import av
import pytest

from functions.sweeper import run_every
from shared.jobs import EnginePreference, Job, JobStatus
from shared.localstack import ServiceProcess
from shared.pipeline import taskgraph as tg
from shared.pipeline.messages import TaskKind
from shared.pipeline.ports import PipelineServices
from shared.pipeline.services import cancel_job
from shared.settings import Settings
from tests.integration.pipeline_env import (
    add_photo,
    ffmpeg_children,
    orchestrator,
    pipeline_ports,
    render_outputs,
    running,
    start_worker,
    submit,
    wait_for,
)

pytestmark = [pytest.mark.emulator, pytest.mark.ffmpeg]

FPS = 24
SCRIPT = "Fresh bread every morning, baked by hand. Come and see us at the harbour."


@dataclass
class Fleet:
    ports: PipelineServices
    tmp: Path
    workers: list[ServiceProcess]
    photos: list[str]

    def submit(self, timeline: dict[str, Any]) -> Job:
        return submit(self.ports, timeline, engine=EnginePreference.CLOUD, script=SCRIPT)

    def pipeline(self, job_id: str) -> tg.Pipeline:
        return self.ports.pipelines.get(job_id)

    def finished(self, job_id: str, timeout_s: float = 240) -> Job:
        def ended() -> Job | None:
            job = self.ports.jobs.get(job_id)
            return job if job.status.terminal else None

        job = wait_for(f"job {job_id} to end", ended, timeout_s=timeout_s, every_s=0.5)
        assert job.status is JobStatus.DONE, (job.status, job.error)
        return job


def long_timeline(
    photos: list[str], kenburns_on: int | None = None, captions: bool = True
) -> dict[str, Any]:
    """8 clips of 1.2 s with dissolves (8 s in all): 4 segments of about 2 s."""
    clips: list[dict[str, Any]] = []
    for i, source in enumerate(photos):
        clip: dict[str, Any] = {"kind": "photo", "source": source, "duration_ms": 1200}
        if i % 2 == 0:
            clip["transition"] = {"type": "dissolve", "duration_ms": 200}
        if i == kenburns_on:
            clip["kenburns"] = {"motion": "pan_left", "strength": 0.8}
        clips.append(clip)
    return {
        "kind": "long_form",
        "format": {"aspect": "16:9", "fps": FPS, "quality": "preview"},
        "video": clips,
        "texts": [{"role": "title", "text": "Harbor Bakery", "start_ms": 0, "end_ms": 2500}],
        "captions": {"enabled": captions},
    }


@pytest.fixture(scope="module")
def fleet(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Fleet]:
    tmp = tmp_path_factory.mktemp("longform")
    with pipeline_ports(settings) as base:
        scoped = dataclasses.replace(base.settings, longform_after_ms=3000, segment_ms=2000)
        ports = dataclasses.replace(base, settings=scoped)
        photos = [add_photo(ports, tmp, "alice", seed=i + 1) for i in range(8)]
        workers = [
            start_worker(ports, tmp, f"seg-{name}", module="functions.cloud_render",
                         CS_ENCODER_THREADS="1")
            for name in ("a", "b")
        ]  # fmt: skip
        try:
            with running(orchestrator(ports)), running(lambda s: run_every(ports, 1.0, s)):
                yield Fleet(ports, tmp, workers, photos)
        finally:
            for worker in workers:
                worker.stop()


def segment_tasks(fleet: Fleet, job_id: str) -> list[tg.Task]:
    return tg.segments(fleet.pipeline(job_id))


def video_packets(path: Path) -> list[tuple[int, bool]]:
    """(pts, keyframe) of every video packet, in decode order."""
    with av.open(str(path)) as box:
        stream = box.streams.video[0]
        return [(p.pts, p.is_keyframe) for p in box.demux(stream) if p.pts is not None]


def test_segments_fan_out_and_join_without_a_seam(fleet: Fleet) -> None:
    job = fleet.submit(long_timeline(fleet.photos))
    seen: list[tuple[float, int]] = []  # (progress, parts reporting) while it runs

    def follow() -> Job | None:
        now = fleet.ports.jobs.get(job.job_id)
        seen.append((now.progress, len(now.parts)))
        return now if now.status.terminal else None

    wait_for("the long render", follow, timeout_s=240, every_s=0.2)
    done = fleet.finished(job.job_id)
    parts = segment_tasks(fleet, job.job_id)
    assert len(parts) == 4
    pipeline = fleet.pipeline(job.job_id)
    assert pipeline.task("render").kind is TaskKind.JOIN
    # Both processes took segments, one at a time each, and every segment ran once.
    assert {p.worker_id for p in parts} == {"seg-a", "seg-b"}
    assert all(p.attempt == 1 and p.result["reused"] == "false" for p in parts)
    # Progress: never backwards, and the segments' parts added up on the way.
    progress = [p for p, _ in seen]
    assert progress == sorted(progress)
    assert max(n for _, n in seen) == 4 and done.progress == 100.0

    assert done.output is not None and render_outputs(fleet.ports, job.job_id) == [
        f"previews/{job.job_id}/render-1.{ext}" for ext in ("mp4", "jpg", "json")
    ]
    video = fleet.ports.renders.download_file(
        f"previews/{job.job_id}/render-1.mp4", fleet.tmp / "joined.mp4"
    )
    packets = sorted(video_packets(video))
    frames = sum(int(p.result["frames"]) for p in parts)
    step = packets[1][0] - packets[0][0]
    # No dropped or doubled frame: one packet per frame, timestamps evenly spaced throughout.
    assert len(packets) == frames
    assert [pts for pts, _ in packets] == [packets[0][0] + i * step for i in range(frames)]
    # Each segment starts a closed GOP exactly at its first frame.
    starts = [p.frames[0] for p in parts if p.frames]
    assert all(packets[start][1] for start in starts)
    with av.open(str(video)) as box:
        v, a = box.streams.video[0], box.streams.audio[0]
        assert v.duration is not None and a.duration is not None
        video_s, audio_s = float(v.duration * v.time_base), float(a.duration * a.time_base)
    assert abs(video_s - audio_s) <= 1 / FPS  # in sync to within a frame at the end


def test_an_edit_renders_only_the_segments_it_touches(fleet: Fleet) -> None:
    # No captions: each job makes its voice again, and espeak-ng's timings move by a few ms
    # from one run to the next, which re-times every caption (a voice made once into the
    # library, with its timings, keeps them).
    first = fleet.submit(long_timeline(fleet.photos, captions=False))
    fleet.finished(first.job_id)
    edited = fleet.submit(long_timeline(fleet.photos, kenburns_on=7, captions=False))
    fleet.finished(edited.job_id)
    before = {p.name: p.result["key"] for p in segment_tasks(fleet, first.job_id)}
    after = segment_tasks(fleet, edited.job_id)
    rendered = [p.name for p in after if p.result["reused"] == "false"]
    assert rendered == [after[-1].name]  # the clip's segment, and nothing else
    assert all(before[p.name] == p.result["key"] for p in after[:-1])


def test_cancel_reaches_every_segment(fleet: Fleet) -> None:
    job = fleet.submit(long_timeline(fleet.photos, kenburns_on=0))

    def two_running() -> bool:
        tasks = segment_tasks(fleet, job.job_id)
        return sum(t.state is tg.TaskState.RUNNING for t in tasks) == 2

    wait_for("two segments to run", two_running, timeout_s=120, every_s=0.05)
    cancelled_at = time.monotonic()
    cancel_job(job_id=job.job_id, uid="alice", jobs=fleet.ports.jobs, bus=fleet.ports.bus,
               settings=fleet.ports.settings, now=datetime.now(UTC))  # fmt: skip

    def all_stopped() -> bool:
        return not any(ffmpeg_children(w.pid) for w in fleet.workers)

    wait_for("every segment's FFmpeg to stop", all_stopped, timeout_s=10, every_s=0.1)
    assert time.monotonic() - cancelled_at < 5
    time.sleep(1.0)  # nothing is started after the cancel
    assert fleet.ports.jobs.get(job.job_id).status is JobStatus.CANCELLED
    assert render_outputs(fleet.ports, job.job_id) == []
    assert fleet.pipeline(job.job_id).task("render").state is tg.TaskState.WAITING


def test_a_worker_killed_mid_segment_loses_only_that_segment(fleet: Fleet) -> None:
    # Last in the module: it kills one of the fleet's two workers, the other finishes the job.
    job = fleet.submit(long_timeline(fleet.photos, kenburns_on=3))
    by_name = {w.name: w for w in fleet.workers}
    victim: list[tuple[str, str]] = []  # (segment, worker)

    def one_running() -> bool:
        tasks = segment_tasks(fleet, job.job_id)
        hit = [t for t in tasks if t.state is tg.TaskState.RUNNING and t.worker_id in by_name]
        if hit:
            victim.append((hit[0].name, hit[0].worker_id or ""))
        return bool(hit)

    wait_for("a segment to run", one_running, timeout_s=120, every_s=0.05)
    segment, worker = victim[0]
    os.killpg(by_name[worker].pgid, signal.SIGKILL)
    fleet.finished(job.job_id)
    parts = {p.name: p for p in segment_tasks(fleet, job.job_id)}
    killed = parts[segment]
    assert killed.attempt == 2 and killed.worker_id not in (None, worker)
    assert all(p.attempt == 1 for name, p in parts.items() if name != segment)
    assert render_outputs(fleet.ports, job.job_id) == [
        f"previews/{job.job_id}/render-1.{ext}" for ext in ("mp4", "jpg", "json")
    ]
