"""Where a generation runs (pure): an online GPU box whose heartbeat names the first model its
chain needs (a box advertises only the models it can run: in its VRAM, or on its CPU where the
operator allows it), else a cloud worker, whose chain starts at the cloud links."""

from __future__ import annotations

from collections.abc import Iterable

from shared.imagery.models import SDXL, WAN_I2V
from shared.imagery.request import GenerateRequest
from shared.pipeline.heartbeat import Heartbeat
from shared.pipeline.messages import Route


def first_model(body: GenerateRequest) -> str:
    """A clip from a photo starts at Wan I2V; a still, or a clip from text, at an SDXL still."""
    return WAN_I2V if body.kind == "clip" and body.source is not None else SDXL


def gpu_box_for(body: GenerateRequest, online: Iterable[Heartbeat]) -> Heartbeat | None:
    model = first_model(body)
    return next(
        (b for b in online if b.route is Route.GPU and model in b.models),
        None,
    )
