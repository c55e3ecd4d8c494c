"""The job state machine: an explicit table, and properties over random (redelivered) histories."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.errors import Conflict, InvalidRequest, InvalidTransition
from shared.jobs import (
    MAX_WARNINGS,
    TERMINAL,
    Cancel,
    Complete,
    Fail,
    Job,
    JobEvent,
    JobOutput,
    JobStatus,
    Pause,
    Progress,
    Resume,
    Start,
    Warn,
    apply_event,
    new_job,
    transition,
    with_feedback,
)

T0 = datetime(2026, 1, 1, tzinfo=UTC)
OUTPUT = JobOutput(video_uri="gs://renders/j/attempt-1.mp4", size_bytes=10, duration_ms=1000)

# How far along the lifecycle a status is; no event may lower it.
RANK = {
    JobStatus.PENDING: 0,
    JobStatus.PROCESSING: 1,
    JobStatus.PAUSED: 1,
    JobStatus.DONE: 2,
    JobStatus.ERROR: 2,
    JobStatus.CANCELLED: 2,
}


def at(seconds: int) -> datetime:
    return T0 + timedelta(seconds=seconds)


def run(events: Iterable[JobEvent]) -> Job:
    job = new_job("job-1", "alice", T0)
    for i, event in enumerate(events, start=1):
        job = transition(job, event, at(i))
    return job


# How to reach each status from a new job.
PATHS: dict[JobStatus, list[JobEvent]] = {
    JobStatus.PENDING: [],
    JobStatus.PROCESSING: [Start(worker_id="w1")],
    JobStatus.PAUSED: [Start(worker_id="w1"), Pause()],
    JobStatus.DONE: [Start(worker_id="w1"), Complete(output=OUTPUT)],
    JobStatus.ERROR: [Start(worker_id="w1"), Fail(error="bad photo")],
    JobStatus.CANCELLED: [Cancel()],
}

P, R, PA = JobStatus.PENDING, JobStatus.PROCESSING, JobStatus.PAUSED
D, E, C = JobStatus.DONE, JobStatus.ERROR, JobStatus.CANCELLED
NOOP, REFUSED = "noop", "refused"
EVENTS: dict[str, JobEvent] = {
    "start-same": Start(worker_id="w1"),
    "start-other": Start(worker_id="w2"),
    "progress": Progress(progress=50),
    "pause": Pause(),
    "resume": Resume(),
    "complete": Complete(output=OUTPUT),
    "fail": Fail(error="boom"),
    "cancel": Cancel(),
}
# (from status, event) -> resulting status, NOOP (job returned unchanged) or REFUSED.
TABLE: dict[tuple[JobStatus, str], JobStatus | str] = {
    (P, "start-same"): R, (P, "start-other"): R, (P, "progress"): NOOP, (P, "pause"): REFUSED,
    (P, "resume"): REFUSED, (P, "complete"): REFUSED, (P, "fail"): E, (P, "cancel"): C,
    (R, "start-same"): NOOP, (R, "start-other"): REFUSED, (R, "progress"): R, (R, "pause"): PA,
    (R, "resume"): NOOP, (R, "complete"): D, (R, "fail"): E, (R, "cancel"): C,
    (PA, "start-same"): REFUSED, (PA, "start-other"): REFUSED, (PA, "progress"): NOOP,
    (PA, "pause"): NOOP, (PA, "resume"): R, (PA, "complete"): REFUSED, (PA, "fail"): E,
    (PA, "cancel"): C,
    (D, "start-same"): REFUSED, (D, "start-other"): REFUSED, (D, "progress"): NOOP,
    (D, "pause"): REFUSED, (D, "resume"): REFUSED, (D, "complete"): NOOP, (D, "fail"): REFUSED,
    (D, "cancel"): REFUSED,
    (E, "start-same"): REFUSED, (E, "start-other"): REFUSED, (E, "progress"): NOOP,
    (E, "pause"): REFUSED, (E, "resume"): REFUSED, (E, "complete"): REFUSED, (E, "fail"): NOOP,
    (E, "cancel"): REFUSED,
    (C, "start-same"): REFUSED, (C, "start-other"): REFUSED, (C, "progress"): NOOP,
    (C, "pause"): REFUSED, (C, "resume"): REFUSED, (C, "complete"): REFUSED, (C, "fail"): REFUSED,
    (C, "cancel"): NOOP,
}  # fmt: skip


def test_table_covers_every_status_and_event() -> None:
    assert set(TABLE) == {(status, name) for status in JobStatus for name in EVENTS}


@pytest.mark.parametrize(("status", "name"), sorted(TABLE, key=lambda k: (k[0].value, k[1])))
def test_transition_table(status: JobStatus, name: str) -> None:
    job = run(PATHS[status])
    assert job.status is status
    expected = TABLE[(status, name)]
    if expected == REFUSED:
        with pytest.raises(InvalidTransition, match=job.job_id):
            transition(job, EVENTS[name], at(100))
        return
    after = transition(job, EVENTS[name], at(100))
    if expected == NOOP:
        assert after is job
    else:
        assert after.status is expected
        assert after.version == job.version + 1
        assert after.updated_at == at(100)


def test_a_full_run_records_what_happened() -> None:
    job = run(
        [
            Start(worker_id="gpu-1", step="Rendering on GPU box"),
            Warn(message="AI video fell back to Ken Burns"),
            Progress(progress=30, step="Rendering"),
            Pause(),
            Resume(),
            Progress(progress=80),
            Complete(output=OUTPUT),
        ]
    )
    assert (job.status, job.progress, job.step, job.output) == (JobStatus.DONE, 100, "Done", OUTPUT)
    assert (job.worker_id, job.attempt, job.version) == ("gpu-1", 1, 7)
    assert job.warnings == ("AI video fell back to Ken Burns",)
    assert job.completed_at == at(7)


def test_losing_claim_names_the_winner() -> None:
    job = run([Start(worker_id="gpu-1")])
    with pytest.raises(InvalidTransition, match="already processing on worker gpu-1"):
        transition(job, Start(worker_id="cpu-1"), at(9))


def test_fencing_refuses_a_stale_attempt() -> None:
    job = run([Start(worker_id="w1")])
    assert apply_event(job, Progress(progress=10), at(5), expected_attempt=1).progress == 10
    with pytest.raises(Conflict, match="attempt 1, not 0"):
        apply_event(job, Complete(output=OUTPUT), at(5), expected_attempt=0)


def test_feedback_never_touches_status() -> None:
    job = run([Start(worker_id="w1"), Complete(output=OUTPUT)])
    rated = with_feedback(job, at(50), comment="Nice", rating=4)
    assert (rated.status, rated.comment, rated.rating) == (JobStatus.DONE, "Nice", 4)
    assert with_feedback(rated, at(51), rating=4) is rated
    with pytest.raises(InvalidRequest, match="comment or a rating"):
        with_feedback(job, at(50))
    with pytest.raises(InvalidRequest, match="comment"):
        with_feedback(job, at(50), comment="x" * 2001)


def test_warnings_are_capped() -> None:
    job = run(Warn(message=f"fallback {i}") for i in range(MAX_WARNINGS + 5))
    assert len(job.warnings) == MAX_WARNINGS
    assert job.warnings[-1] == f"fallback {MAX_WARNINGS - 1}"


# ---- properties over random histories ------------------------------------------------------

progress_events = st.builds(
    Progress,
    progress=st.floats(0, 100, allow_nan=False),
    step=st.none() | st.sampled_from(["Rendering", "Mixing audio"]),
)
# Weighted so that histories often run a while before they end: progress is the common event.
events = st.one_of(
    st.builds(Start, worker_id=st.sampled_from(["gpu-1", "gpu-2", "cpu-1"])),
    progress_events,
    progress_events,
    progress_events,
    st.builds(Pause),
    st.builds(Resume),
    st.builds(Warn, message=st.sampled_from(["GPU offline", "Ken Burns fallback", "no music"])),
    st.one_of(
        st.builds(Complete, output=st.just(OUTPUT)),
        st.builds(Fail, error=st.sampled_from(["TTS failed", "bad photo"])),
        st.builds(Cancel),
    ),
)


@st.composite
def deliveries(draw: st.DrawFn) -> list[JobEvent]:
    """An event history as at-least-once delivery sees it: events duplicated and reordered."""
    history = draw(st.lists(events, max_size=30))
    delivered = [e for e in history for _ in range(draw(st.integers(1, 3)))]
    return draw(st.permutations(delivered)) if draw(st.booleans()) else delivered


def apply_all(history: list[JobEvent]) -> list[Job]:
    """Every state the job passes through; refused events leave it as it was."""
    job = new_job("job-1", "alice", T0)
    states = [job]
    for i, event in enumerate(history, start=1):
        try:
            job = transition(job, event, at(i))
        except InvalidTransition:
            pass
        states.append(job)
    return states


@settings(max_examples=300, deadline=None)
@given(deliveries())
def test_a_job_never_moves_backwards(history: list[JobEvent]) -> None:
    states = apply_all(history)
    for before, after in zip(states, states[1:], strict=False):
        assert RANK[after.status] >= RANK[before.status]
        assert after.progress >= before.progress
        assert after.attempt >= before.attempt
        assert after.updated_at >= before.updated_at
        assert after.warnings[: len(before.warnings)] == before.warnings  # warnings accumulate
        if before.status in TERMINAL:
            # A terminal job only ever gains warnings.
            assert after.model_dump(exclude={"warnings", "version", "updated_at"}) == (
                before.model_dump(exclude={"warnings", "version", "updated_at"})
            )
        if after is before:
            assert after.version == before.version
        else:
            assert after.version == before.version + 1


@settings(max_examples=300, deadline=None)
@given(deliveries())
def test_every_state_is_consistent(history: list[JobEvent]) -> None:
    for job in apply_all(history):
        assert len(set(job.warnings)) == len(job.warnings) <= MAX_WARNINGS
        assert (job.completed_at is not None) == (job.status in TERMINAL)
        assert (job.output is not None) == (job.status is JobStatus.DONE)
        assert (job.error is not None) == (job.status is JobStatus.ERROR)
        assert (job.worker_id is not None) == (job.attempt > 0)
        assert job.attempt <= 1  # nothing in the machine puts a claimed job back to pending
        if job.status is JobStatus.DONE:
            assert job.progress == 100


@settings(max_examples=300, deadline=None)
@given(st.lists(events, max_size=15), events)
def test_a_redelivered_event_changes_nothing(history: list[JobEvent], event: JobEvent) -> None:
    job = apply_all(history)[-1]
    try:
        once = transition(job, event, at(500))
    except InvalidTransition:
        with pytest.raises(InvalidTransition):
            transition(job, event, at(501))
        return
    assert transition(once, event, at(501)) is once
