"""The audio tasks of a long timeline, run in a process of their own so that its peak memory and
that of every FFmpeg it starts can be measured (tests/render/test_long_audio.py).

    python -m tests.render.long_audio WORK_DIR MINUTES CEILING_MB > figures.json

WORK_DIR holds ``photo.jpg``. The music task (MusicExecutor, its offline chain) makes the music;
the voice chain (espeak-ng offline) speaks a script, written with ``write_voice_file`` as the
voice task does; then the render's audio steps run: ingest (validate + normalise), the mix (voice
placed, music ducked under it) and loudness in two passes. FFmpeg runs under the worker's memory
ceiling (``shared.processes.limit_children``), as on a worker.
"""

from __future__ import annotations

import json
import shutil
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import psutil

from shared import processes
from shared.jobs import EnginePreference
from shared.pipeline.executors import MusicExecutor, TaskContext
from shared.pipeline.services import submit_job
from shared.render.graph.compiler import RenderOptions
from shared.render.media.media_resolver import MediaResolver
from shared.render.run.encoders import x264_settings
from shared.render.service import prepare_media, render_audio
from shared.settings import Settings
from shared.timeline import parse_timeline
from shared.timeline.model import Quality
from shared.voice import chain as voice_chain
from shared.voice.spoken import write_voice_file
from tests.pipeline_fakes import fake_services

CLIP_MS = 600_000  # photo clips of 10 minutes, as the long-form timeline
SCRIPT = " ".join(
    f"Part {n}. Fresh bread every morning at Harbor Bakery, baked by hand since 1982."
    for n in range(1, 41)
)


def timeline(minutes: int) -> dict[str, object]:
    clips = max(1, minutes * 60_000 // CLIP_MS)
    return {
        "kind": "long_form",
        "format": {"aspect": "16:9", "fps": 30, "quality": "final"},
        "video": [
            {"kind": "photo", "source": "photo.jpg", "duration_ms": CLIP_MS} for _ in range(clips)
        ],
        "texts": [],
        "voice": {"source": "voice.wav", "offset_ms": 1000},
        "music": {"source": "music.wav", "volume": 1.0, "fade_out_ms": 3000},
    }


def own_peak_mb() -> float:
    """This process's resident high-water mark since it started (VmHWM). Not getrusage: on Linux
    a child's ru_maxrss starts at its parent's size when it forked (a pytest process holding
    torch reads as 1.7 GB), whatever the child itself then used."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


class DiskBlobStore:
    """The renders bucket as a folder: the music task's upload stays on disk, not in memory."""

    bucket = "renders"

    def __init__(self, root: Path) -> None:
        self.root = root

    def exists(self, name: str) -> bool:
        return (self.root / name).exists()

    def upload_file(self, name: str, path: Path, content_type: str) -> str:
        (self.root / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.move(path, self.root / name)
        return f"gs://{self.bucket}/{name}"

    def upload_bytes(self, name: str, data: bytes, content_type: str) -> str:
        (self.root / name).parent.mkdir(parents=True, exist_ok=True)
        (self.root / name).write_bytes(data)
        return f"gs://{self.bucket}/{name}"


def music_task(work: Path, data: dict[str, object]) -> float:
    """Run the music task for a job of this timeline; its WAV becomes ``work/music.wav``."""
    ports = fake_services()
    submit_job(
        uid="u", brand_name="B", job_id="long", engine=EnginePreference.AUTO,
        timeline=parse_timeline(data), jobs=ports.jobs, pipelines=ports.pipelines, bus=ports.bus,
        settings=ports.settings, now=datetime.now(UTC),
    )  # fmt: skip
    scratch = work / "music-task"
    scratch.mkdir()
    ctx = TaskContext(
        job=ports.jobs.get("long"), pipeline=ports.pipelines.get("long"), task="music",
        attempt=1, work_dir=scratch, progress=lambda percent, step: None,
        cancel=threading.Event(),
    )  # fmt: skip
    store = DiskBlobStore(work / "bucket")
    started = time.monotonic()
    uri = MusicExecutor(store, ports.settings).run(ctx)["uri"]  # type: ignore[arg-type]
    shutil.move(store.root / uri.removeprefix("gs://renders/"), work / "music.wav")
    return time.monotonic() - started


class PeakSampler:
    """The largest resident size any FFmpeg child reached, sampled every 50 ms (getrusage's
    figure for children counts the Python process they were forked from)."""

    def __init__(self) -> None:
        self.peak = 0
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        me = psutil.Process()
        while not self._done.wait(0.05):
            for child in me.children(recursive=True):
                try:
                    self.peak = max(self.peak, child.memory_info().rss)
                except psutil.NoSuchProcess:
                    continue

    def __enter__(self) -> PeakSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._done.set()
        self._thread.join()


def main(work: Path, minutes: int, ceiling_mb: int) -> dict[str, float]:
    processes.limit_children(ceiling_mb)
    data = timeline(minutes)
    figures: dict[str, float] = {}
    with PeakSampler() as sampler:
        figures["music_s"] = music_task(work, data)
        started = time.monotonic()
        settings = Settings(project_id="demo-long", media_bucket="m", renders_bucket="r")
        spoken = voice_chain.speak(SCRIPT, None, settings).value
        tl = parse_timeline(data)
        write_voice_file(spoken, work / "voice.wav", max_ms=tl.duration_ms)
        figures["voice_s"] = time.monotonic() - started
        started = time.monotonic()
        scratch = work / "render"
        media = prepare_media(tl, MediaResolver(work), scratch)
        mix = render_audio(tl, media, RenderOptions(x264_settings(Quality.FINAL)), scratch)
        figures["ingest_mix_loudness_s"] = time.monotonic() - started
    figures["mix_ms"] = mix.duration_ms
    figures["programme_ms"] = tl.duration_ms
    figures["python_peak_mb"] = own_peak_mb()
    figures["ffmpeg_peak_mb"] = sampler.peak / 2**20
    return figures


if __name__ == "__main__":
    work, minutes, ceiling = sys.argv[1:4]
    print(json.dumps(main(Path(work), int(minutes), int(ceiling))))
