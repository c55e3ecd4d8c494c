"""A long timeline's graph (pure): segments cut at clip ends, the mix, the join, and the job's
progress as the sum of segments running at once."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from shared.jobs import JobStatus, Progress, new_job, transition
from shared.pipeline import taskgraph as tg
from shared.pipeline.messages import TaskKind
from shared.render.graph.timing import clip_spans, total_frames
from shared.timeline.model import Timeline
from shared.timeline.validate import parse_timeline

T0 = datetime(2026, 1, 1, tzinfo=UTC)
FANOUT = tg.FanOut(after_ms=5_000, segment_ms=2_000)


def timeline(clips: int, ms: int = 1000, captions: bool = False) -> Timeline:
    doc: dict[str, Any] = {
        "kind": "long_form",
        "format": {"fps": 25},
        "video": [
            {
                "kind": "photo",
                "source": f"p{i}.jpg",
                "duration_ms": ms,
                "transition": {"type": "dissolve", "duration_ms": 200},
            }
            for i in range(clips)
        ],  # fmt: skip
    }
    if captions:
        doc["captions"] = {"enabled": True}
    return parse_timeline(doc)


def plan(t: Timeline, **kw: Any) -> tg.Pipeline:
    return tg.plan("j1", "u1", t, T0, fanout=FANOUT, **kw)


def test_a_short_timeline_stays_one_render_task() -> None:
    pipeline = plan(timeline(5))  # 5 s: not longer than after_ms
    assert [(t.name, t.kind) for t in pipeline.tasks] == [
        ("music", TaskKind.MUSIC), ("render", TaskKind.RENDER)
    ]  # fmt: skip


def test_a_long_timeline_fans_out_into_segments_cut_at_clip_ends() -> None:
    t = timeline(12)
    pipeline = plan(t, script="Hello there")
    names = [task.name for task in pipeline.tasks]
    assert names[:3] == ["voice", "music", "mix"] and names[-1] == "render"
    parts = tg.segments(pipeline)
    assert len(parts) == round(t.duration_ms / FANOUT.segment_ms)
    ends = {s.end for s in clip_spans(t)}
    ranges = [p.frames for p in parts]
    assert ranges[0] is not None and ranges[0][0] == 0
    assert ranges[-1] is not None and ranges[-1][1] == total_frames(t)
    for left, right in zip(ranges, ranges[1:], strict=False):
        assert left is not None and right is not None
        assert left[1] == right[0] and left[1] in ends  # contiguous, cut where a clip ends
    assert pipeline.task("mix").needs == ("voice", "music")
    assert all(p.needs == () for p in parts)  # no captions: the picture needs no voice
    join = pipeline.task("render")
    assert join.kind is TaskKind.JOIN and join.needs == ("mix", *(p.name for p in parts))
    assert pipeline.ready() == [pipeline.task("voice"), pipeline.task("music"), *parts]


def test_captions_make_every_segment_wait_for_the_voice() -> None:
    pipeline = plan(timeline(12, captions=True), script="Hello there")
    assert all(p.needs == ("voice",) for p in tg.segments(pipeline))


def test_one_long_clip_cannot_be_cut() -> None:
    pipeline = plan(timeline(1, ms=9000))
    assert [t.name for t in pipeline.tasks] == ["music", "render"]


def test_segment_progress_adds_up_across_workers() -> None:
    pipeline = plan(timeline(12))
    parts = tg.segments(pipeline)
    shares = [tg.segment_share(pipeline, p.name) for p in parts]
    assert sum(s for s in shares if s is not None) == pytest.approx(1.0)
    low, high = tg.progress_span(pipeline, parts[0].name)
    assert (low, high) == (tg.PREPARE_SHARE, 100.0 - tg.JOIN_SHARE)
    assert tg.progress_span(pipeline, "render") == (100.0 - tg.JOIN_SHARE, 100.0)

    job = new_job("j1", "u1", T0).model_copy(update={"status": JobStatus.PROCESSING})
    # Two workers report at once; neither's progress overwrites the other's.
    job = transition(job, tg.progress_of(pipeline, parts[0].name, 50.0, "a"), T0)
    job = transition(job, tg.progress_of(pipeline, parts[1].name, 50.0, "b"), T0)
    expected = low + (high - low) * (shares[0] + shares[1]) / 2  # type: ignore[operator]
    assert job.progress == pytest.approx(expected)
    # A late, lower report of a part changes nothing; every part done fills the span.
    job = transition(job, tg.progress_of(pipeline, parts[0].name, 10.0, "a"), T0)
    assert job.progress == pytest.approx(expected)
    for p in parts:
        job = transition(job, tg.progress_of(pipeline, p.name, 100.0, "done"), T0)
    assert job.progress == pytest.approx(high)


def test_a_part_report_never_lowers_the_bar() -> None:
    job = new_job("j1", "u1", T0).model_copy(update={"status": JobStatus.PROCESSING})
    job = transition(job, Progress(progress=40.0), T0)
    job = transition(job, Progress(progress=10.0, part="segment-000", points=1.0), T0)
    assert job.progress == 40.0 and job.parts == {"segment-000": 1.0}
