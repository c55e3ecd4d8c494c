"""Generations go to a GPU box only when its heartbeat names the model their chain starts with."""

from __future__ import annotations

from datetime import UTC, datetime

from shared.imagery.placement import first_model, gpu_box_for
from shared.imagery.request import GenerateRequest
from shared.pipeline.heartbeat import Heartbeat
from shared.pipeline.messages import Route

STILL = GenerateRequest(kind="image", prompt="a cup")
FROM_PHOTO = GenerateRequest(kind="clip", prompt="move", source="media:abc")
FROM_TEXT = GenerateRequest(kind="clip", prompt="move")


def beat(worker_id: str, *models: str, cuda: bool = True, route: Route = Route.GPU) -> Heartbeat:
    return Heartbeat(
        worker_id=worker_id, route=route, cuda=cuda, models=models, started_at=datetime.now(UTC)
    )


def test_the_first_model_of_each_chain() -> None:
    assert (first_model(STILL), first_model(FROM_PHOTO), first_model(FROM_TEXT)) == (
        "sdxl", "wan-i2v", "sdxl",
    )  # fmt: skip


def test_a_box_is_chosen_only_when_it_advertises_the_model() -> None:
    # A box advertises only what it can run (ModelManager.runnable): with CUDA, or without it
    # where the operator gave its CPU a model budget.
    online = [beat("sdxl-only", "sdxl"), beat("cpu-box", "sdxl", "wan-i2v", cuda=False)]
    assert gpu_box_for(STILL, online) == online[0]
    assert gpu_box_for(FROM_PHOTO, online) == online[1]
    assert gpu_box_for(FROM_PHOTO, online[:1]) is None  # nobody has Wan I2V: the cloud
    assert gpu_box_for(STILL, [beat("cloud", "sdxl", route=Route.CLOUD)]) is None
    assert gpu_box_for(STILL, []) is None
