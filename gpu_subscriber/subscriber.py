"""Wire one GPU box: capabilities, executors, the worker core and its loop on ``gpu-tasks``."""

from __future__ import annotations

import os
import socket
from datetime import UTC, datetime

from gpu_subscriber.capabilities import detect
from gpu_subscriber.heartbeat import describe
from gpu_subscriber.models import ModelManager
from shared.imagery.worker import generation_worker
from shared.pipeline.executor_map import task_executors
from shared.pipeline.ports import PipelineServices
from shared.pipeline.worker import TaskWorker
from shared.pipeline.worker_loop import WorkerLoop
from shared.topology import GPU_TASKS


def default_worker_id() -> str:
    return os.environ.get("CS_WORKER_ID", "").strip() or f"gpu-{socket.gethostname()}"


def build_loop(ports: PipelineServices, worker_id: str, pull_timeout_s: float = 5.0) -> WorkerLoop:
    caps = detect(ports.settings.models_dir)
    # Loaded on the first AI task, kept warm; the heartbeat says which are warm. Without CUDA the
    # models run on the CPU only where the operator gives them memory (slow, but they answer).
    budget = caps.vram_mb if caps.cuda else ports.settings.cpu_model_budget_mb
    models = ModelManager(ports.settings.models_dir, vram_budget_mb=budget)
    executors = {k: ex for k, ex in task_executors(ports, models).items() if k in caps.tasks}
    where = f"on GPU box {worker_id}" if caps.cuda else f"on {worker_id} (CPU, no CUDA)"
    generate = generation_worker(ports, models, worker_id)
    worker = TaskWorker(ports, executors, worker_id, where=where, generate=generate)
    started = datetime.now(UTC)
    return WorkerLoop(
        ports,
        worker,
        ports.settings.topic(GPU_TASKS),
        lambda: describe(worker_id, caps, started, models.loaded(), models.runnable()),
        pull_timeout_s=pull_timeout_s,
    )
