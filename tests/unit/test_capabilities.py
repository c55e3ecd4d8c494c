"""What a box announces: CUDA and VRAM from nvidia-smi, NVENC by a real test encode."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from gpu_subscriber.capabilities import CPU_KINDS, detect, query_gpu


def fake_smi(folder: Path, output: str, code: int = 0) -> None:
    """An nvidia-smi stand-in on PATH, printing what the real one prints."""
    script = folder / "nvidia-smi"
    script.write_text(f"#!/bin/sh\nprintf '{output}'\nexit {code}\n")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)


@pytest.mark.parametrize(
    ("output", "code", "expected"),
    [
        ("NVIDIA GeForce RTX 4090, 24564\\n", 0, ("NVIDIA GeForce RTX 4090", 24564)),
        ("NVIDIA H100 80GB HBM3, 81559\\nNVIDIA H100 80GB HBM3, 81559\\n", 0,
         ("NVIDIA H100 80GB HBM3", 81559)),
        ("", 9, None),  # driver not loaded
        ("No devices were found\\n", 0, None),
    ],
)  # fmt: skip
def test_query_gpu(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, output: str, code: int, expected: object
) -> None:
    fake_smi(tmp_path, output, code)
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
    assert query_gpu() == expected


@pytest.mark.ffmpeg
def test_this_cpu_machine_announces_no_cuda(tmp_path: Path) -> None:
    (tmp_path / "models" / "wan2.1").mkdir(parents=True)
    (tmp_path / "models" / "notes.txt").write_text("not a model")
    caps = detect(tmp_path / "models")
    if query_gpu() is None:
        assert (caps.cuda, caps.vram_mb, caps.nvenc) == (False, 0, False)
    assert caps.models == ("wan2.1",) and caps.tasks == CPU_KINDS
