"""The progress writer rests between writes and still writes a closing task's last figure."""

from __future__ import annotations

import itertools
import time
from typing import Any

from shared.jobs import Progress
from shared.pipeline.progress_writer import ProgressWriter


class SlowJobs:
    """Only ``report``, which the writer calls: each write takes a while, like a loaded store."""

    def __init__(self) -> None:
        self.writes: list[tuple[float, float, float]] = []  # (start, end, progress)

    def report(self, job_id: str, event: Any) -> None:
        start = time.monotonic()
        time.sleep(0.05)
        self.writes.append((start, time.monotonic(), event.progress))


def test_writes_rest_between_them_and_the_last_figure_lands() -> None:
    jobs = SlowJobs()
    with ProgressWriter(jobs, "job-1", rest_s=0.2) as writer:  # type: ignore[arg-type]
        for percent in range(61):  # a report every 10 ms, far more often than the writes
            writer.put(Progress(progress=float(percent)))
            time.sleep(0.01)
    assert jobs.writes[0][2] == 0.0 and jobs.writes[-1][2] == 60.0
    assert 2 <= len(jobs.writes) < 10  # newer figures overtook the ones not yet written
    rests = [after[0] - before[1] for before, after in itertools.pairwise(jobs.writes)]
    # Every rest is whole but the last, which closing cuts short to write the final figure.
    assert all(rest >= 0.2 for rest in rests[:-1]), rests


def test_closing_does_not_wait_out_the_rest() -> None:
    jobs = SlowJobs()
    started = time.monotonic()
    with ProgressWriter(jobs, "job-1", rest_s=30.0) as writer:  # type: ignore[arg-type]
        writer.put(Progress(progress=10.0))
        time.sleep(0.1)  # written; the writer now rests
        writer.put(Progress(progress=20.0))
    assert [w[2] for w in jobs.writes] == [10.0, 20.0]
    assert time.monotonic() - started < 5.0


def test_a_new_step_ends_the_rest() -> None:
    jobs = SlowJobs()
    with ProgressWriter(jobs, "job-1", rest_s=30.0) as writer:  # type: ignore[arg-type]
        writer.put(Progress(progress=10.0, step="Writing the script"))
        time.sleep(0.1)  # written; the writer now rests
        writer.put(Progress(progress=20.0, step="Rendering video"))
        time.sleep(0.5)
        # Written while the task still runs: a person sees every step, however short.
        assert [w[2] for w in jobs.writes] == [10.0, 20.0]
