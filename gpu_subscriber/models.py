"""The box's local models: loaded on first use from CS_MODELS_DIR/<name>, kept warm between
tasks, and unloaded (least recently used first, then ``torch.cuda.empty_cache()``) when the next
model would not fit in the VRAM budget. Nothing is ever downloaded (HF_HUB_OFFLINE=1).

One lock: a box runs one task at a time, and a load must not race an unload.
"""

from __future__ import annotations

import logging
import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shared.ai.musicgen import load_musicgen
from shared.ai.sdxl import load_sdxl
from shared.ai.wan_video import load_wan_i2v, load_wan_t2v
from shared.imagery.models import MUSICGEN, SDXL, WAN_I2V, WAN_T2V

log = logging.getLogger(__name__)

Loader = Callable[[Path, str], Any]  # (folder, device) -> pipeline


@dataclass(frozen=True)
class ModelSpec:
    load: Loader
    vram_mb: int  # what it holds on the GPU once loaded (an estimate, with headroom)


# fp16 / bf16 weights plus working memory at the default sizes.
DEFAULT_SPECS: Mapping[str, ModelSpec] = {
    SDXL: ModelSpec(load_sdxl, 12_000),
    WAN_T2V: ModelSpec(load_wan_t2v, 20_000),
    WAN_I2V: ModelSpec(load_wan_i2v, 60_000),
    MUSICGEN: ModelSpec(load_musicgen, 6_000),  # musicgen-medium in fp16, with headroom
}


def empty_cuda_cache() -> None:
    import torch

    if torch.cuda.is_available():
        torch.cuda.empty_cache()


def torch_device() -> str:
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


class ModelManager:
    """The shared.imagery ModelSource of a GPU box."""

    def __init__(
        self,
        models_dir: Path | None,
        *,
        vram_budget_mb: int,
        specs: Mapping[str, ModelSpec] = DEFAULT_SPECS,
        device: Callable[[], str] = torch_device,
        free_memory: Callable[[], None] = empty_cuda_cache,
    ) -> None:
        os.environ["HF_HUB_OFFLINE"] = "1"  # a missing file fails now rather than downloading
        self._dir = models_dir
        self._budget_mb = vram_budget_mb
        self._specs = specs
        self._device = device
        self._free_memory = free_memory
        self._loaded: OrderedDict[str, Any] = OrderedDict()  # least recently used first
        # What is warm, readable without the lock: the heartbeat asks every second, and a load
        # holds the lock for as long as it takes (a box that looked dead while loading SDXL
        # had its work moved to the cloud).
        self._warm: tuple[str, ...] = ()
        self._lock = threading.Lock()

    def available(self) -> tuple[str, ...]:
        """Models this box could load: a known name whose folder exists."""
        if self._dir is None or not self._dir.is_dir():
            return ()
        return tuple(sorted(n for n in self._specs if (self._dir / n).is_dir()))

    def runnable(self) -> tuple[str, ...]:
        """Models this box can load and fit in its budget: what its heartbeat advertises."""
        return tuple(n for n in self.available() if self.missing(n) is None)

    def loaded(self) -> tuple[str, ...]:
        return self._warm

    def missing(self, name: str) -> str | None:
        if name not in self._specs:
            return f"no loader for a model named {name!r}"
        if self._dir is None:
            return "CS_MODELS_DIR is not set on this box"
        if name not in self.available():
            return f"the model folder {self._dir / name} is not on this box"
        if self._specs[name].vram_mb > self._budget_mb:
            need = self._specs[name].vram_mb
            return f"{name} needs about {need} MB of VRAM, this box has {self._budget_mb} MB"
        return None

    def pipeline(self, name: str) -> Any:
        why = self.missing(name)
        if why is not None:
            raise LookupError(why)
        assert self._dir is not None  # missing() checked
        with self._lock:
            if name in self._loaded:
                self._loaded.move_to_end(name)
                return self._loaded[name]
            self._make_room(self._specs[name].vram_mb)
            log.info("loading model", extra={"model": name})
            pipe = self._specs[name].load(self._dir / name, self._device())
            self._loaded[name] = pipe
            self._warm = tuple(self._loaded)
            return pipe

    def unload(self, name: str) -> None:
        with self._lock:
            if self._loaded.pop(name, None) is not None:
                self._warm = tuple(self._loaded)
                self._free_memory()

    def _make_room(self, need_mb: int) -> None:
        def held() -> int:
            return sum(self._specs[n].vram_mb for n in self._loaded)

        freed = False
        while self._loaded and held() + need_mb > self._budget_mb:
            victim, _ = self._loaded.popitem(last=False)
            self._warm = tuple(self._loaded)
            log.info("unloading model for room", extra={"model": victim})
            freed = True
        if freed:
            self._free_memory()
