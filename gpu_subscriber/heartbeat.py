"""This box's heartbeat document: who it is and what it can do (the loop adds liveness)."""

from __future__ import annotations

import socket
from datetime import UTC, datetime

from gpu_subscriber import __version__
from gpu_subscriber.capabilities import Capabilities
from shared.pipeline.heartbeat import Heartbeat
from shared.pipeline.messages import Route


def describe(
    worker_id: str,
    caps: Capabilities,
    started_at: datetime | None = None,
    models_loaded: tuple[str, ...] = (),
    models: tuple[str, ...] | None = None,
) -> Heartbeat:
    """``models``: the ones this box can run (default: every model folder it has)."""
    return Heartbeat(
        worker_id=worker_id,
        route=Route.GPU,
        version=__version__,
        host=socket.gethostname(),
        cuda=caps.cuda,
        gpu_name=caps.gpu_name,
        vram_mb=caps.vram_mb,
        nvenc=caps.nvenc,
        models=caps.models if models is None else models,
        models_loaded=models_loaded,
        tasks=caps.tasks,
        started_at=started_at or datetime.now(UTC),
    )
