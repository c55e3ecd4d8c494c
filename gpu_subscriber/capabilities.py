"""What this box can do, found by trying rather than by name: CUDA (nvidia-smi), VRAM, a working
NVENC encode (shared.render.run.encoders.probe_nvenc), the models on disk.

On a machine with no NVIDIA GPU it announces no CUDA and takes the CPU-capable task kinds only
(it still renders, with libx264, when a render is routed to it).
"""

from __future__ import annotations

import logging
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import imageio_ffmpeg

from shared.pipeline.messages import CPU_KINDS, TaskKind
from shared.render.run.encoders import probe_nvenc

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Capabilities:
    cuda: bool
    gpu_name: str | None
    vram_mb: int
    nvenc: bool
    models: tuple[str, ...]
    tasks: tuple[TaskKind, ...]


def query_gpu() -> tuple[str, int] | None:
    """(name, VRAM in MiB) of the first NVIDIA GPU, or None when there is none."""
    smi = shutil.which("nvidia-smi")
    if smi is None:
        return None
    try:
        done = subprocess.run(
            [smi, "--query-gpu=name,memory.total", "--format=csv,noheader,nounits"],
            capture_output=True, text=True, timeout=20,
        )  # fmt: skip
    except (OSError, subprocess.TimeoutExpired):
        return None
    first = done.stdout.strip().splitlines()[:1]
    if done.returncode != 0 or not first:
        return None
    name, _, mem = first[0].rpartition(",")
    try:
        return name.strip(), int(float(mem))
    except ValueError:
        return None


def detect(models_dir: Path | None = None, ffmpeg: str | None = None) -> Capabilities:
    gpu = query_gpu()
    why_no_nvenc = probe_nvenc(ffmpeg or imageio_ffmpeg.get_ffmpeg_exe())
    models: tuple[str, ...] = ()
    if models_dir is not None and models_dir.is_dir():
        models = tuple(sorted(p.name for p in models_dir.iterdir() if p.is_dir()))
    caps = Capabilities(
        cuda=gpu is not None,
        gpu_name=gpu[0] if gpu else None,
        vram_mb=gpu[1] if gpu else 0,
        nvenc=why_no_nvenc is None,
        models=models,
        tasks=CPU_KINDS,  # GPU-only kinds (AI clips) join when their executors land
    )
    log.info("capabilities", extra={"cuda": caps.cuda, "nvenc": caps.nvenc, "why": why_no_nvenc})
    return caps
