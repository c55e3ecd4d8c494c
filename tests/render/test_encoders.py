"""Encoder choice by a real test encode: libx264 without a working NVENC, and the log says why."""

from __future__ import annotations

import logging
import subprocess
from pathlib import Path

import imageio_ffmpeg
import pytest

from shared.render.media.probe import probe_streams
from shared.render.run.encoders import choose_encoder, nvenc_settings, probe_nvenc, x264_settings
from shared.timeline.model import Quality

FFMPEG = imageio_ffmpeg.get_ffmpeg_exe()


def _has_working_nvidia_gpu() -> bool:
    try:
        return subprocess.run(["nvidia-smi"], capture_output=True, timeout=10).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


@pytest.mark.ffmpeg
def test_without_a_gpu_libx264_is_chosen_and_the_log_says_why(
    caplog: pytest.LogCaptureFixture,
) -> None:
    if _has_working_nvidia_gpu():
        pytest.skip("this machine has an NVIDIA GPU; see test_choice_follows_the_probe")
    probe_nvenc.cache_clear()
    with caplog.at_level(logging.INFO, logger="shared.render.run.encoders"):
        final = choose_encoder(Quality.FINAL, FFMPEG)
    assert final == x264_settings(Quality.FINAL)
    assert final.args[:4] == ("-preset", "medium", "-crf", "20")
    (line,) = [r.getMessage() for r in caplog.records]
    assert line.startswith("encoder: libx264 on the CPU, because a test encode with h264_nvenc")


@pytest.mark.ffmpeg
def test_choice_follows_the_probe() -> None:
    probe_nvenc.cache_clear()
    works = probe_nvenc(FFMPEG) is None
    chosen = choose_encoder(Quality.PREVIEW, FFMPEG)
    assert chosen == (nvenc_settings if works else x264_settings)(Quality.PREVIEW)
    assert probe_nvenc.cache_info().hits >= 1  # the test encode ran once


def test_a_broken_ffmpeg_means_cpu() -> None:
    probe_nvenc.cache_clear()
    assert "could not be started" in (probe_nvenc("/nonexistent/ffmpeg") or "")
    assert choose_encoder(Quality.FINAL, "/nonexistent/ffmpeg").codec == "libx264"


@pytest.mark.ffmpeg
@pytest.mark.parametrize("quality", list(Quality))
def test_chosen_settings_encode_h264_high_yuv420p(tmp_path: Path, quality: Quality) -> None:
    enc = choose_encoder(quality, FFMPEG)
    out = tmp_path / "x.mp4"
    subprocess.run(
        [FFMPEG, "-v", "error", "-nostdin", "-f", "lavfi", "-i", "testsrc2=s=320x180:r=30:d=0.5",
         "-c:v", enc.codec, *enc.args, "-profile:v", "high", "-pix_fmt", "yuv420p", str(out)],
        check=True, timeout=60,
    )  # fmt: skip
    video = probe_streams(out).video
    assert video is not None
    assert (video.codec, video.profile, video.pix_fmt) == ("h264", "High", "yuv420p")
