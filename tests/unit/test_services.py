"""The pipeline's use cases on in-memory fakes: submit, advance (the orchestrator), controls and
the sweeper, including duplicated and reordered messages."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from shared.errors import Conflict, InvalidRequest, InvalidTransition, NotFound
from shared.jobs import Cancel, EnginePreference, JobStatus, new_job
from shared.pipeline import taskgraph as tg
from shared.pipeline.heartbeat import Heartbeat
from shared.pipeline.job_events import JobCloudEvent
from shared.pipeline.messages import (
    JobControl,
    JobCreated,
    Route,
    TaskCommand,
    TaskFailed,
    TaskFinished,
    TaskKind,
)
from shared.pipeline.ports import PipelineServices
from shared.pipeline.services import advance, cancel_job, pause_job, resume_job, submit_job
from shared.pipeline.sweep import sweep
from shared.timeline.model import Captions
from shared.timeline.validate import parse_timeline
from tests.fakes import RecordingEventBus
from tests.pipeline_fakes import fake_services

T0 = datetime(2026, 1, 1, 12, tzinfo=UTC)
TIMELINE = parse_timeline({"video": [{"kind": "photo", "source": "media:p1", "duration_ms": 1500}]})
RENDER_RESULT = {
    "video_uri": "gs://renders/renders/j1/render-1.mp4", "poster_uri": "gs://renders/p.jpg",
    "size_bytes": "1234", "duration_ms": "1500", "loudness_lufs": "-14.10",
}  # fmt: skip


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now

    def tick(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def ports(clock: Clock) -> PipelineServices:
    return fake_services(clock)


def bus(ports: PipelineServices) -> RecordingEventBus:
    assert isinstance(ports.bus, RecordingEventBus)
    return ports.bus


def submit(ports: PipelineServices, uid: str = "alice", **kw: Any) -> str:
    fields: dict[str, Any] = {"engine": EnginePreference.AUTO, "script": "Hello there"} | kw
    fields.setdefault("timeline", TIMELINE)
    submit_job(
        uid=uid, brand_name="B", job_id="j1", jobs=ports.jobs,
        pipelines=ports.pipelines, bus=ports.bus, settings=ports.settings, now=ports.clock(),
        **fields,
    )  # fmt: skip
    return "j1"


def commands(ports: PipelineServices, topic: str) -> list[tuple[str, int]]:
    return [(m.task, m.attempt) for m in bus(ports).messages(topic) if isinstance(m, TaskCommand)]


def statuses(ports: PipelineServices) -> list[str]:
    return [
        m.data.status.value
        for m in bus(ports).messages("job-events")
        if isinstance(m, JobCloudEvent)
    ]


def gpu_online(ports: PipelineServices, *kinds: TaskKind) -> None:
    ports.workers.beat(
        Heartbeat(worker_id="g1", route=Route.GPU, tasks=kinds or tuple(TaskKind),
                  started_at=T0, last_pull_at=ports.clock())
    )  # fmt: skip


def finish(ports: PipelineServices, task: str, attempt: int = 1, **result: str) -> None:
    advance(TaskFinished(job_id="j1", task=task, attempt=attempt, worker_id="w", result=result),
            ports)  # fmt: skip


def test_submit_creates_job_and_graph_and_tells_the_orchestrator(ports: PipelineServices) -> None:
    submit(ports)
    job = ports.jobs.get("j1")
    assert (job.status, job.uid, job.brand_name) == (JobStatus.PENDING, "alice", "B")
    graph = ports.pipelines.get("j1")
    assert [t.name for t in graph.tasks] == ["voice", "music", "render"] and graph.announced
    assert bus(ports).messages("jobs") == [JobCreated(job_id="j1")]
    assert statuses(ports) == ["pending"]
    submit(ports)  # a retried submission: the same job, JobCreated again (harmless)
    assert ports.jobs.get("j1") == job and len(bus(ports).messages("jobs")) == 2
    with pytest.raises(Conflict):
        submit(ports, uid="mallory")


def test_captions_need_a_voice_or_a_script_to_make_one(ports: PipelineServices) -> None:
    captioned = TIMELINE.model_copy(update={"captions": Captions()})
    with pytest.raises(InvalidRequest, match="captions: need a voice track with a script"):
        submit(ports, timeline=captioned, script=None)
    with pytest.raises(NotFound):
        ports.jobs.get("j1")  # nothing was written
    submit(ports, timeline=captioned)  # the voice is made from the script, captions timed to it
    assert ports.jobs.get("j1").status is JobStatus.PENDING


def test_no_gpu_online_everything_runs_in_the_cloud_with_warnings(ports: PipelineServices) -> None:
    submit(ports)
    advance(JobCreated(job_id="j1"), ports)
    advance(JobCreated(job_id="j1"), ports)  # duplicate: no new attempt
    assert ports.jobs.get("j1").status is JobStatus.PROCESSING
    assert commands(ports, "tasks-gpu") == []
    assert set(commands(ports, "tasks-cloud")) == {("voice", 1), ("music", 1)}
    warnings = ports.jobs.get("j1").warnings
    assert len(warnings) == 2 and all("using the cloud CPU worker" in w for w in warnings)


def test_the_whole_walk_with_a_gpu_box_and_duplicated_reports(ports: PipelineServices) -> None:
    gpu_online(ports)
    submit(ports)
    advance(JobCreated(job_id="j1"), ports)
    assert set(commands(ports, "tasks-gpu")) == {("voice", 1), ("music", 1)}
    finish(ports, "voice", uri="gs://renders/v.wav", warning="voice: offline")
    finish(ports, "voice", uri="gs://renders/v.wav", warning="voice: offline")  # duplicate
    finish(ports, "music", attempt=2, uri="gs://x")  # a stale attempt: ignored
    assert ports.pipelines.get("j1").task("music").state is tg.TaskState.QUEUED
    assert ports.jobs.get("j1").progress == 5.0
    finish(ports, "music", uri="gs://renders/m.wav")
    assert ("render", 1) in commands(ports, "tasks-gpu")
    finish(ports, "render", **RENDER_RESULT)
    finish(ports, "render", **RENDER_RESULT)  # duplicate after done: no change
    job = ports.jobs.get("j1")
    assert job.status is JobStatus.DONE and job.output is not None
    assert (job.output.size_bytes, job.output.duration_ms, job.output.loudness_lufs) == (
        1234, 1500, -14.1,
    )  # fmt: skip
    assert job.warnings == ("voice: offline",)
    assert statuses(ports) == ["pending", "processing", "done"]
    assert not ports.pipelines.get("j1").live


def test_gpu_failure_retries_on_cloud_then_fails_the_job(ports: PipelineServices) -> None:
    gpu_online(ports)
    submit(ports, script=None)
    advance(JobCreated(job_id="j1"), ports)
    finish(ports, "music", uri="gs://renders/m.wav")
    fail = {"job_id": "j1", "task": "render", "worker_id": "w", "error": "NVENC died"}
    advance(TaskFailed(attempt=1, **fail), ports)
    advance(TaskFailed(attempt=1, **fail), ports)  # duplicate: no third attempt
    render = ports.pipelines.get("j1").task("render")
    assert (render.attempt, render.route, render.gpu_strikes) == (2, Route.CLOUD, 1)
    assert ("render", 2) in commands(ports, "tasks-cloud")
    assert any("NVENC died" in w and "retried on the cloud" in w
               for w in ports.jobs.get("j1").warnings)  # fmt: skip
    advance(TaskFailed(attempt=2, **fail), ports)
    assert ports.pipelines.get("j1").task("render").attempt == 3  # still the cloud: retried
    advance(TaskFailed(attempt=3, **fail), ports)
    job = ports.jobs.get("j1")
    assert job.status is JobStatus.ERROR and "after 3 attempts" in (job.error or "")
    assert statuses(ports)[-1] == "error"


def test_a_permanent_failure_fails_the_job_at_once(ports: PipelineServices) -> None:
    submit(ports, script=None)
    advance(JobCreated(job_id="j1"), ports)
    advance(TaskFailed(job_id="j1", task="music", attempt=1, worker_id="w",
                       error="media:p1 not found", retryable=False), ports)  # fmt: skip
    job = ports.jobs.get("j1")
    assert job.status is JobStatus.ERROR and job.error == "music failed: media:p1 not found"


def test_pause_holds_new_tasks_until_resume(ports: PipelineServices) -> None:
    submit(ports)
    advance(JobCreated(job_id="j1"), ports)
    control = {"job_id": "j1", "jobs": ports.jobs, "bus": ports.bus, "settings": ports.settings,
               "now": ports.clock()}  # fmt: skip
    with pytest.raises(NotFound):
        pause_job(uid="mallory", **control)
    pause_job(uid="alice", **control)
    finish(ports, "voice", uri="gs://renders/v.wav")
    finish(ports, "music", uri="gs://renders/m.wav")
    advance(JobControl(job_id="j1", action="pause"), ports)
    assert ("render", 1) not in commands(ports, "tasks-cloud")  # paused: nothing new starts
    resume_job(uid="alice", **control)
    assert bus(ports).messages("jobs")[-1] == JobControl(job_id="j1", action="resume")
    advance(JobControl(job_id="j1", action="resume"), ports)
    assert ("render", 1) in commands(ports, "tasks-cloud")
    assert statuses(ports) == ["pending", "processing", "paused", "processing"]


def test_cancel_is_owner_only_and_final(ports: PipelineServices) -> None:
    submit(ports)
    control = {"job_id": "j1", "jobs": ports.jobs, "bus": ports.bus, "settings": ports.settings,
               "now": ports.clock()}  # fmt: skip
    with pytest.raises(NotFound):
        cancel_job(uid="mallory", **control)
    assert cancel_job(uid="alice", **control).status is JobStatus.CANCELLED
    advance(JobCreated(job_id="j1"), ports)  # a late JobCreated starts nothing
    assert commands(ports, "tasks-cloud") == [] and not ports.pipelines.get("j1").live
    with pytest.raises(InvalidTransition):
        pause_job(uid="alice", **control)


def test_a_failure_after_cancel_is_not_retried(ports: PipelineServices) -> None:
    submit(ports, script=None)
    advance(JobCreated(job_id="j1"), ports)
    cancel_job(uid="alice", job_id="j1", jobs=ports.jobs, bus=ports.bus, settings=ports.settings,
               now=ports.clock())  # fmt: skip
    advance(TaskFailed(job_id="j1", task="music", attempt=1, worker_id="w", error="killed"),
            ports)  # fmt: skip
    assert commands(ports, "tasks-cloud") == [("music", 1)]
    assert ports.pipelines.get("j1").task("music").state is tg.TaskState.FAILED
    assert ports.jobs.get("j1").status is JobStatus.CANCELLED


def test_sweeper_reroutes_a_gpu_task_nobody_started(ports: PipelineServices, clock: Clock) -> None:
    gpu_online(ports)
    submit(ports, script=None)
    advance(JobCreated(job_id="j1"), ports)
    clock.tick(30)
    assert sweep(ports).rerouted == []
    clock.tick(31)  # past the 60 s start deadline
    assert sweep(ports).rerouted == ["j1/music"]
    music = ports.pipelines.get("j1").task("music")
    assert (music.attempt, music.route) == (2, Route.CLOUD)
    assert any("no GPU box started it within 60 s" in w for w in ports.jobs.get("j1").warnings)


def test_sweeper_reroutes_work_of_a_dead_worker(ports: PipelineServices, clock: Clock) -> None:
    gpu_online(ports)
    submit(ports, script=None)
    advance(JobCreated(job_id="j1"), ports)
    ports.pipelines.change("j1", lambda p: tg.claim(p, "music", 1, "g1", clock()))
    clock.tick(20)
    gpu_online(ports)  # still beating
    assert sweep(ports).rerouted == []
    clock.tick(31)  # no heartbeat for 31 s
    assert sweep(ports).rerouted == ["j1/music"]
    assert any("g1 stopped responding" in w for w in ports.jobs.get("j1").warnings)
    finish(ports, "music", attempt=1, uri="gs://late")  # the dead worker's late report
    assert ports.pipelines.get("j1").task("music").state is tg.TaskState.QUEUED


def test_a_stale_attempts_late_outputs_are_deleted(ports: PipelineServices) -> None:
    submit(ports, script=None)
    advance(JobCreated(job_id="j1"), ports)
    finish(ports, "music", uri="gs://renders/work/j1/music-1500.wav")
    ports.pipelines.change("j1", lambda p: tg.queue(p, "render", Route.CLOUD, T0))  # attempt 2
    stale = {"video_uri": "gs://renders/renders/j1/render-1.mp4",
             "manifest_uri": "gs://renders/renders/j1/render-1.json",
             "shared": "gs://renders/work/j1/music-1500.wav", "size_bytes": "9"}  # fmt: skip
    for name in ("renders/j1/render-1.mp4", "renders/j1/render-1.json", "work/j1/music-1500.wav"):
        ports.renders.upload_bytes(name, b"x", "application/octet-stream")
    finish(ports, "render", attempt=1, **stale)
    assert ports.pipelines.get("j1").task("render").state is tg.TaskState.QUEUED
    assert not ports.renders.exists("renders/j1/render-1.mp4")
    assert not ports.renders.exists("renders/j1/render-1.json")
    assert ports.renders.exists("work/j1/music-1500.wav")  # shared by every attempt: kept


def test_sweeper_resends_a_lost_job_created_and_forgets_ended_jobs(
    ports: PipelineServices, clock: Clock
) -> None:
    ports.pipelines.create(tg.plan("j2", "alice", TIMELINE, clock()))  # submit died mid-way
    ports.jobs.create(new_job("j2", "alice", clock()))
    clock.tick(61)
    assert sweep(ports).republished == ["j2"]
    assert bus(ports).messages("jobs") == [JobCreated(job_id="j2")]
    assert sweep(ports).republished == []
    ports.jobs.apply("j2", Cancel())
    assert sweep(ports).ended == ["j2"] and ports.pipelines.live() == []


def test_sweeper_names_each_gpu_box_gone_quiet(
    ports: PipelineServices, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    gpu_online(ports)  # g1, pulling
    ports.workers.beat(Heartbeat(worker_id="c1", route=Route.CLOUD, started_at=T0))
    ports.workers.beat(Heartbeat(worker_id="g2", route=Route.GPU, started_at=T0, stopping=True))
    assert sweep(ports).silent == []
    clock.tick(31)  # nobody beats for 31 s: only the GPU box that did not say it stops
    with caplog.at_level("WARNING", logger="shared.pipeline.sweep"):
        assert sweep(ports).silent == ["g1"]
    line = next(r for r in caplog.records if r.getMessage() == "gpu box silent")
    assert (vars(line)["box_id"], vars(line)["silent_s"]) == ("g1", 31)
    # A box that beats but stopped pulling (hung) is named too, after its pull timeout.
    ports.workers.beat(Heartbeat(worker_id="g1", route=Route.GPU, started_at=T0,
                                 last_pull_at=clock() - timedelta(seconds=41)))  # fmt: skip
    assert sweep(ports).silent == ["g1"]
    ports.workers.beat(Heartbeat(worker_id="g1", route=Route.GPU, started_at=T0,
                                 last_pull_at=clock() - timedelta(seconds=5)))  # fmt: skip
    assert sweep(ports).silent == []
    clock.tick(25 * 3600)  # silent for more than a day: taken away, no longer reported
    assert sweep(ports).silent == []
