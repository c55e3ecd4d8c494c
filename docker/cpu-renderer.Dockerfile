# The CPU renderer (Cloud Run, terraform/run.tf): the cloud route's worker, pushed its tasks.
# Build from the repository root: docker build -f docker/cpu-renderer.Dockerfile .
# FFmpeg is the project's own (imageio-ffmpeg's binary, pinned in functions/requirements.txt),
# the same one the tests render with; espeak-ng is the offline voice; Noto CJK and Symbola are
# the fallbacks for CJK and emoji (the timeline's own fonts ship in shared/render/text/fonts).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONPATH=/app

# The base image's release fixes the Debian/Ubuntu package versions (no per-package pins).
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends espeak-ng fonts-noto-core fonts-noto-cjk fonts-symbola \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY functions/requirements.txt /app/requirements.txt
RUN pip install --no-cache-dir -r /app/requirements.txt
COPY shared /app/shared
COPY functions /app/functions

RUN useradd --system --uid 10001 --home-dir /tmp renderer
USER 10001

# Cloud Run probes the port (terraform/run.tf startup_probe); a push is the only work.
HEALTHCHECK CMD ["python", "-c", "import socket; socket.create_connection(('127.0.0.1', 8080), 2)"]
EXPOSE 8080
# tests/unit/test_terraform_containers.py starts exactly this command on the local stack.
CMD ["functions-framework", "--source=functions/main.py", "--target=cloud_render", "--port=8080"]
