"""The GPU box's model manager: lazy loads, kept warm, least recently used unloaded for room."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from gpu_subscriber.models import ModelManager, ModelSpec


class Loads:
    def __init__(self) -> None:
        self.calls: list[tuple[str, str]] = []
        self.freed = 0

    def loader(self, name: str):  # type: ignore[no-untyped-def]
        def load(folder: Path, device: str) -> object:
            self.calls.append((folder.name, device))
            return {"model": name}

        return load

    def free(self) -> None:
        self.freed += 1


def manager(tmp_path: Path, loads: Loads, budget_mb: int, *folders: str) -> ModelManager:
    for name in folders:
        (tmp_path / name).mkdir()
    specs = {n: ModelSpec(loads.loader(n), mb) for n, mb in (("a", 40), ("b", 50), ("c", 70))}
    return ModelManager(
        tmp_path,
        vram_budget_mb=budget_mb,
        specs=specs,
        device=lambda: "cuda",
        free_memory=loads.free,
    )


def test_loads_on_first_use_and_keeps_it_warm(tmp_path: Path) -> None:
    loads = Loads()
    models = manager(tmp_path, loads, 100, "a", "b")
    assert models.available() == ("a", "b") and models.loaded() == ()
    first = models.pipeline("a")
    assert models.pipeline("a") is first
    assert loads.calls == [("a", "cuda")]
    assert models.loaded() == ("a",) and loads.freed == 0


def test_unloads_the_least_recently_used_when_the_next_does_not_fit(tmp_path: Path) -> None:
    loads = Loads()
    models = manager(tmp_path, loads, 100, "a", "b", "c")
    models.pipeline("a")
    models.pipeline("b")  # 90 of 100
    models.pipeline("a")  # a is now the most recently used
    models.pipeline("c")  # 70 more: b goes first, then a
    assert models.loaded() == ("c",)
    assert loads.freed == 1  # one empty_cache after making room
    models.pipeline("a")  # 40 + 70 > 100: c goes
    assert models.loaded() == ("a",)
    assert [c[0] for c in loads.calls] == ["a", "b", "c", "a"]


def test_says_why_a_model_cannot_be_used(tmp_path: Path) -> None:
    loads = Loads()
    models = manager(tmp_path, loads, 60, "a", "c")
    assert models.missing("a") is None
    assert "not on this box" in (models.missing("b") or "")
    assert "needs about 70 MB" in (models.missing("c") or "")
    assert "no loader" in (models.missing("zzz") or "")
    assert models.runnable() == ("a",)  # what the heartbeat advertises: c does not fit
    (tmp_path / "cpu").mkdir()
    assert manager(tmp_path / "cpu", loads, 0, "a").runnable() == ()  # no CUDA, no CPU budget
    with pytest.raises(LookupError, match="not on this box"):
        models.pipeline("b")
    assert loads.calls == []
    no_dir = ModelManager(None, vram_budget_mb=100)
    assert no_dir.available() == () and "CS_MODELS_DIR" in (no_dir.missing("sdxl") or "")


def test_unload_frees_memory(tmp_path: Path) -> None:
    loads = Loads()
    models = manager(tmp_path, loads, 100, "a")
    models.pipeline("a")
    models.unload("a")
    models.unload("a")  # already gone: nothing to free
    assert models.loaded() == () and loads.freed == 1


def test_the_heartbeat_says_what_is_loadable_and_what_is_warm(tmp_path: Path) -> None:
    from gpu_subscriber.capabilities import Capabilities
    from gpu_subscriber.heartbeat import describe

    loads = Loads()
    models = manager(tmp_path, loads, 100, "a", "b")
    models.pipeline("b")
    caps = Capabilities(
        cuda=True, gpu_name="H200", vram_mb=100, nvenc=True, models=models.available(), tasks=()
    )
    beat = describe("gpu-1", caps, models_loaded=models.loaded())
    assert (beat.models, beat.models_loaded) == (("a", "b"), ("b",))


def test_the_heartbeat_reads_what_is_warm_while_a_model_loads(tmp_path: Path) -> None:
    (tmp_path / "slow").mkdir()
    loading, release = threading.Event(), threading.Event()

    def slow_load(folder: Path, device: str) -> object:
        loading.set()
        release.wait(10)
        return {"model": "slow"}

    models = ModelManager(
        tmp_path, vram_budget_mb=100, specs={"slow": ModelSpec(slow_load, 10)},
        device=lambda: "cpu", free_memory=lambda: None,
    )  # fmt: skip
    loader = threading.Thread(target=models.pipeline, args=("slow",))
    loader.start()
    try:
        assert loading.wait(10)
        answered: list[tuple[str, ...]] = []
        reader = threading.Thread(target=lambda: answered.append(models.loaded()))
        reader.start()
        reader.join(2)  # the load holds the lock for as long as it takes
        assert answered == [()] and models.runnable() == ("slow",)
    finally:
        release.set()
        loader.join(10)
    assert models.loaded() == ("slow",)
