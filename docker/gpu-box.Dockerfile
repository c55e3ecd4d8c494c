# A GPU box (gpu_subscriber): pulls gpu-tasks, renders with NVENC, runs SDXL / Wan from the
# model folder. Also the image of the serverless GPU renderer (terraform/run.tf), which runs the
# CPU renderer's command on an L4 instead of this CMD.
# Build from the repository root: docker build -f docker/gpu-box.Dockerfile .
# Run with docker/compose.gpu.yaml (docs/deploy.md, "Add a GPU box").
# CUDA's runtime; torch's CUDA wheels bring their own cuDNN and cuBLAS. Ubuntu 24.04's Python
# is 3.12 (the project runs on 3.11 and later).
FROM nvidia/cuda:12.8.1-runtime-ubuntu24.04

# "video" exposes the driver's NVENC library to the container, "compute" CUDA.
ENV NVIDIA_DRIVER_CAPABILITIES=compute,utility,video \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONPATH=/app \
    PATH=/opt/venv/bin:$PATH \
    IMAGEIO_FFMPEG_EXE=/usr/bin/ffmpeg \
    CS_MODELS_DIR=/models

# Ubuntu's FFmpeg is built with NVENC (h264_nvenc, hevc_nvenc); the encoder probe
# (shared/render/run/encoders.py) picks it when the driver offers it, else libx264.
# The base image's release fixes the Debian/Ubuntu package versions (no per-package pins).
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends python3 python3-venv ffmpeg espeak-ng \
       fonts-noto-core fonts-noto-cjk fonts-symbola \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY functions/requirements.txt /app/requirements.txt
COPY pyproject.toml /app/pyproject.toml
COPY shared /app/shared
COPY functions /app/functions
COPY gpu_subscriber /app/gpu_subscriber
# torch from PyTorch's CUDA 12.8 index (the version pinned in pyproject's gpu extra), then the
# pinned runtime and the gpu extra (diffusers, transformers, accelerate).
RUN python3 -m venv /opt/venv \
    && pip install --no-cache-dir --index-url https://download.pytorch.org/whl/cu128 torch==2.13.0 \
    && pip install --no-cache-dir -r /app/requirements.txt \
    && pip install --no-cache-dir "/app[gpu]"

RUN useradd --system --uid 10001 --home-dir /tmp gpubox
USER 10001

# The models (SDXL, Wan) are the operator's folder, mounted read-only (gpu_subscriber/models.py).
VOLUME ["/models"]

# Online = this worker's heartbeat is fresh and it pulls when idle (python -m gpu_subscriber --check).
HEALTHCHECK --interval=60s --timeout=30s --start-period=120s CMD ["python", "-m", "gpu_subscriber", "--check"]
CMD ["python", "-m", "gpu_subscriber"]
