"""A 3-hour timeline's audio tasks run under the worker's memory ceiling, in memory that does not
grow with the programme (issue 13, item 1): the music task (MusicExecutor), the voice, then the
render's ingest, mix and two loudness passes stream 3 hours of 48 kHz audio (a 4 GB float mix on
disk) through a Python process limited to 2 GB of data and FFmpegs limited to 1 GB each.

Held as one array, 3 hours of 48 kHz stereo is 2 GB as 16-bit samples and 8 GB as float64: any
task that did so fails here with a MemoryError, and the peaks it reports show what each held."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import imageio_ffmpeg
import pytest

from shared import processes
from shared.timeline.model import MAX_DURATION_MS

pytestmark = [pytest.mark.ffmpeg, pytest.mark.slow]
SHORT_MINUTES = 20  # in `make test`: float64 samples of 20 minutes (920 MB) would break the peaks

FFMPEG = imageio_ffmpeg.get_ffmpeg_exe()
CEILING_MB = 1024  # each FFmpeg's ceiling (CS_TASK_MEMORY_MB is 4096 on a worker)
PROCESS_LIMIT_MB = 2048  # the task process's own data limit
# What the tasks may hold at their peak: Python with its libraries imported (about 300 MB, the
# same for a 10-minute programme) and one FFmpeg (about 40 MB).
PYTHON_PEAK_MB = 512
FFMPEG_PEAK_MB = 128


def audio_tasks(work: Path, minutes: int) -> dict[str, float]:
    """The figures of tests/render/long_audio.py, run under a data limit of its own."""
    work.mkdir()
    subprocess.run(
        [FFMPEG, "-v", "error", "-y", "-f", "lavfi", "-i", "color=c=orange:s=320x180:d=1",
         "-frames:v", "1", str(work / "photo.jpg")],
        check=True, timeout=60,
    )  # fmt: skip
    processes.limit_children(PROCESS_LIMIT_MB)
    try:
        done = processes.run(
            [sys.executable, "-m", "tests.render.long_audio", str(work), str(minutes),
             str(CEILING_MB)],
            timeout_s=1200, text=True,
        )  # fmt: skip
    finally:
        processes.limit_children(None)
    assert done.returncode == 0, done.stderr[-3000:]
    figures: dict[str, float] = json.loads(done.stdout)
    assert figures["mix_ms"] == figures["programme_ms"] == minutes * 60_000
    return figures


@pytest.mark.parametrize(
    "minutes",
    [
        SHORT_MINUTES,
        # Six minutes on 2 cores: `make test-soak`, not `make test` (CI's 30-minute budget).
        pytest.param(MAX_DURATION_MS // 60_000, marks=pytest.mark.soak, id="3-hours"),
    ],
)
def test_the_audio_tasks_of_a_long_timeline_run_under_the_ceiling(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], minutes: int
) -> None:
    figures = audio_tasks(tmp_path / "long", minutes)
    with capsys.disabled():
        print(f"\naudio tasks of a {minutes}-minute timeline: {figures}")
    assert figures["python_peak_mb"] < PYTHON_PEAK_MB
    assert figures["ffmpeg_peak_mb"] < FFMPEG_PEAK_MB
