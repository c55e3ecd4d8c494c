"""The task graph (pure): what a timeline needs, what is ready, and fencing by attempt under
duplicated and reordered reports."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.errors import Conflict, NotFound
from shared.pipeline import taskgraph as tg
from shared.pipeline.messages import Route, TaskKind
from shared.timeline.validate import parse_timeline

T0 = datetime(2026, 1, 1, tzinfo=UTC)
CLIP = {"kind": "photo", "source": "a.jpg", "duration_ms": 1000}
VOICE = {"source": "v.wav", "script": "Hello"}
MUSIC = {"source": "m.wav"}


def graph(voice: bool = False, music: bool = False, script: str | None = "Hi") -> tg.Pipeline:
    doc: dict[str, Any] = {"video": [CLIP]}
    if voice:
        doc["voice"] = VOICE
    if music:
        doc["music"] = MUSIC
    return tg.plan("j1", "u1", parse_timeline(doc), T0, script=script)


@pytest.mark.parametrize(
    ("voice", "music", "script", "tasks"),
    [
        (False, False, "Hi", ["voice", "music", "render"]),
        (False, False, None, ["music", "render"]),
        (False, False, "   ", ["music", "render"]),
        (True, False, "Hi", ["music", "render"]),
        (False, True, "Hi", ["voice", "render"]),
        (True, True, "Hi", ["render"]),
        (True, True, None, ["render"]),
    ],
)
def test_plan_makes_what_the_timeline_lacks(
    voice: bool, music: bool, script: str | None, tasks: list[str]
) -> None:
    pipeline = graph(voice, music, script)
    assert [t.name for t in pipeline.tasks] == tasks
    render = pipeline.task("render")
    assert render.kind is TaskKind.RENDER and render.needs == tuple(tasks[:-1])
    assert [t.name for t in pipeline.ready()] == (tasks[:-1] or ["render"])


def test_progress_spans_cover_the_bar_without_overlap() -> None:
    full = graph()
    assert [tg.progress_span(full, n) for n in ("voice", "music", "render")] == [
        (0.0, 5.0), (5.0, 10.0), (10.0, 100.0),
    ]  # fmt: skip
    assert tg.progress_span(graph(True, True), "render") == (0.0, 100.0)


def test_render_is_ready_only_when_its_inputs_are_done() -> None:
    p = graph()
    for name in ("voice", "music"):
        p = tg.queue(p, name, Route.CLOUD, T0)
    assert p.ready() == []
    p = tg.finish(p, "voice", 1, {"uri": "gs://b/v"}, T0)
    assert p.ready() == []
    p = tg.finish(p, "music", 1, {"uri": "gs://b/m"}, T0)
    assert [t.name for t in p.ready()] == ["render"]
    p = tg.finish(tg.queue(p, "render", Route.GPU, T0), "render", 1, {}, T0)
    assert p.finished


def test_claim_rules() -> None:
    p = tg.queue(graph(True, True), "render", Route.GPU, T0)
    with pytest.raises(Conflict, match="stale"):
        tg.claim(p, "render", 2, "w1", T0)
    p = tg.claim(p, "render", 1, "w1", T0 + timedelta(seconds=1))
    task = p.task("render")
    assert (task.state, task.worker_id, task.started_at) == (
        tg.TaskState.RUNNING, "w1", T0 + timedelta(seconds=1),
    )  # fmt: skip
    assert tg.claim(p, "render", 1, "w1", T0) is p  # the same worker, restarted
    with pytest.raises(Conflict, match="running by w1"):
        tg.claim(p, "render", 1, "w2", T0)
    with pytest.raises(NotFound):
        tg.claim(p, "nope", 1, "w1", T0)


def test_release_to_queued_or_waiting_and_fenced() -> None:
    p = tg.claim(tg.queue(graph(True, True), "render", Route.GPU, T0), "render", 1, "w1", T0)
    assert tg.release(p, "render", 2, tg.TaskState.QUEUED, T0) is p  # stale
    later = T0 + timedelta(minutes=5)
    back = tg.release(p, "render", 1, tg.TaskState.QUEUED, later)
    task = back.task("render")
    assert (task.state, task.worker_id, task.queued_at) == (tg.TaskState.QUEUED, None, later)
    assert tg.claim(back, "render", 1, "w2", T0).task("render").worker_id == "w2"
    paused = tg.release(p, "render", 1, tg.TaskState.WAITING, T0)
    assert [t.name for t in paused.ready()] == ["render"]
    with pytest.raises(ValueError, match="queued or waiting"):
        tg.release(p, "render", 1, tg.TaskState.DONE, T0)


def test_requeue_counts_gpu_strikes_only_when_asked() -> None:
    p = tg.queue(graph(True, True), "render", Route.GPU, T0)
    p = tg.queue(p, "render", Route.GPU, T0)  # e.g. resumed after a pause
    assert (p.task("render").attempt, p.task("render").gpu_strikes) == (2, 0)
    p = tg.queue(p, "render", Route.CLOUD, T0, gpu_strike=True)
    assert (p.task("render").attempt, p.task("render").gpu_strikes) == (3, 1)
    done = tg.finish(p, "render", 3, {}, T0)
    assert tg.queue(done, "render", Route.GPU, T0) is done  # done stays done


# A report: (kind, attempt). Reports for attempts 1..3 of one task, any order, any duplicates.
REPORTS = st.lists(
    st.tuples(st.sampled_from(["finish", "fail", "claim", "requeue"]), st.integers(1, 3)),
    max_size=25,
)


@settings(max_examples=300, deadline=None)
@given(REPORTS)
def test_reports_never_move_a_task_backwards(reports: list[tuple[str, int]]) -> None:
    p = tg.queue(graph(True, True), "render", Route.GPU, T0)
    for kind, attempt in reports:
        before = p.task("render")
        try:
            if kind == "finish":
                p = tg.finish(p, "render", attempt, {"n": str(attempt)}, T0)
            elif kind == "fail":
                p = tg.fail(p, "render", attempt, "boom", T0)
            elif kind == "claim":
                p = tg.claim(p, "render", attempt, "w", T0)
            elif before.state is tg.TaskState.FAILED and before.attempt == attempt:
                p = tg.queue(p, "render", Route.CLOUD, T0)  # what the orchestrator does
        except Conflict:
            pass
        after = p.task("render")
        assert after.attempt >= before.attempt
        if before.state is tg.TaskState.DONE:
            assert after == before  # nothing undoes a result
        if after.state is tg.TaskState.DONE and before.state is not tg.TaskState.DONE:
            assert after.result == {"n": str(after.attempt)}  # only the current attempt's
