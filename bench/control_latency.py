"""How long a person's Pause or Resume waits while a worker writes progress to the same job
(`python bench/control_latency.py`), on the Firestore emulator with the CPU kept busy as a render
keeps it.

Two ways of writing the ticks, in the same run:
    transaction    each tick a read-change-write transaction (JobStore.apply): the baseline
    precondition   each tick a write preconditioned on the document's update time (JobStore.report)

A worker thread reports a new step every 100 ms through the production ProgressWriter (a new step
ends its rest, so ticks come back to back) while the person pauses and resumes the job; the
figures are the latencies of the person's transactions.

    python bench/control_latency.py             # 25 pause/resume rounds each (~2 min)
    python bench/control_latency.py --rounds 5  # a smoke run
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from shared.adapters.clients import GoogleClients  # noqa: E402
from shared.adapters.firestore_jobs import FirestoreJobStore  # noqa: E402
from shared.clock import utc_now  # noqa: E402
from shared.errors import AppError  # noqa: E402
from shared.jobs import Job, JobEvent, Pause, Progress, Resume, Start, new_job  # noqa: E402
from shared.localstack import StackConfig, start_stack  # noqa: E402
from shared.pipeline.progress_writer import ProgressWriter  # noqa: E402

OUT = REPO / "bench" / "out" / "control_latency.json"
TICK_S = 0.1


class TransactionalTicks:
    """The baseline: a tick is a transaction, as every job write was before JobStore.report."""

    def __init__(self, store: FirestoreJobStore) -> None:
        self._store = store

    def report(self, job_id: str, event: JobEvent) -> Job:
        return self._store.apply(job_id, event)


def measure(store: FirestoreJobStore, ticks: object, rounds: int) -> dict[str, float]:
    job = store.create(new_job(uuid.uuid4().hex, "bench", utc_now()))
    store.apply(job.job_id, Start(worker_id="worker"))
    stop = threading.Event()

    def work() -> None:
        with ProgressWriter(ticks, job.job_id) as writer:  # type: ignore[arg-type]
            n = 0
            while not stop.is_set():
                n += 1
                writer.put(Progress(progress=float(n % 100), step=f"step {n}"))
                time.sleep(TICK_S)

    worker = threading.Thread(target=work)
    worker.start()
    waits: list[float] = []
    failed = 0
    try:
        for _ in range(rounds):
            for event in (Pause(), Resume()):
                started = time.monotonic()
                try:
                    store.apply(job.job_id, event)
                    waits.append(time.monotonic() - started)
                except AppError:
                    failed += 1
                if isinstance(event, Resume):
                    store.apply(job.job_id, Start(worker_id="worker"))  # the worker takes it again
                time.sleep(0.3)
    finally:
        stop.set()
        worker.join()
    waits.sort()
    return {
        "controls": len(waits) + failed,
        "failed": failed,
        "median_s": round(statistics.median(waits), 3),
        "p95_s": round(waits[int(0.95 * (len(waits) - 1))], 3),
        "max_s": round(waits[-1], 3),
        "over_1s": sum(w > 1.0 for w in waits),
    }


@contextlib.contextmanager
def busy_cpu() -> Iterator[None]:
    """One spinning shell per core and one more, as a render on this machine keeps the CPU."""
    spin = ["sh", "-c", "while :; do :; done"]
    spinners = [subprocess.Popen(spin) for _ in range((os.cpu_count() or 1) + 1)]
    try:
        yield
    finally:
        for spinner in spinners:
            spinner.kill()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=25, help="pause/resume rounds per way")
    args = parser.parse_args()
    with busy_cpu(), start_stack(StackConfig(project_id="demo-control-latency")) as stack:
        os.environ.update(stack.env)
        clients = GoogleClients(stack.settings)
        store = FirestoreJobStore(clients.firestore)
        results: dict[str, Any] = {
            "transaction": measure(store, TransactionalTicks(store), args.rounds),
            "precondition": measure(store, store, args.rounds),
        }
        clients.close()
    base, ours = results["transaction"], results["precondition"]
    results["max_ratio"] = round(ours["max_s"] / base["max_s"], 4)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(results, indent=2))
    head = ("controls", 9), ("failed", 7), ("median", 9), ("p95", 8), ("max", 8), (">1 s", 6)
    print(f"{'ticks as':<14}" + "".join(f"{name:>{width}}" for name, width in head))
    for way in ("transaction", "precondition"):
        r = results[way]
        print(
            f"{way:<14}{r['controls']:>9}{r['failed']:>7}{r['median_s']:>8.3f}s"
            f"{r['p95_s']:>7.3f}s{r['max_s']:>7.3f}s{r['over_1s']:>6}"
        )
    print(f"longest wait, precondition / transaction: {results['max_ratio']:.3f}  ({OUT})")


if __name__ == "__main__":
    main()
