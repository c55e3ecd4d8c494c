"""Which executor runs each task kind: the one map every worker uses."""

from __future__ import annotations

from shared.imagery.models import ModelSource
from shared.pipeline.executors import (
    Executor,
    MusicExecutor,
    RenderExecutor,
    ScriptExecutor,
    VoiceExecutor,
)
from shared.pipeline.fanout_executors import JoinExecutor, MixExecutor, SegmentExecutor
from shared.pipeline.messages import TaskKind
from shared.pipeline.ports import PipelineServices


def task_executors(
    ports: PipelineServices, models: ModelSource | None = None
) -> dict[TaskKind, Executor]:
    """What every worker (a GPU box with its ``models``, the cloud renderer) runs for each kind."""
    return {
        TaskKind.SCRIPT: ScriptExecutor(ports.renders, ports.settings),
        TaskKind.VOICE: VoiceExecutor(ports.renders, ports.settings, ports.usage),
        TaskKind.MUSIC: MusicExecutor(ports.renders, ports.settings, models, ports.usage),
        TaskKind.RENDER: RenderExecutor(ports.renders, ports.media_files, ports.media),
        TaskKind.MIX: MixExecutor(ports.renders, ports.media_files, ports.media),
        TaskKind.SEGMENT: SegmentExecutor(
            ports.renders, ports.media_files, ports.media, ports.settings.encoder_threads
        ),
        TaskKind.JOIN: JoinExecutor(ports.renders, ports.media_files, ports.media),
    }
