"""The pipelined render (producer chunks -> one encoder) against the one-graph plan, with real
FFmpeg on small generated media: same frames, bounded producer memory, failures and cancel.
These are the FFmpeg producers' tests (``drawn=False``); test_drawn.py covers drawn chunks."""

from __future__ import annotations

import os
import subprocess
import threading
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import imageio_ffmpeg
import numpy as np
import pytest

from examples.make_media import draw_photo
from shared.errors import Cancelled, RenderFailed
from shared.pipeline.offline_audio import write_wav
from shared.render.graph.compiler import (
    PipelinedPlan,
    RenderOptions,
    compile_frames_plan,
    compile_pipelined_plan,
    compile_video_plan,
)
from shared.render.graph.plan import EncoderSettings, MediaInfo, RenderPlan
from shared.render.graph.timing import clip_spans, total_frames
from shared.render.media.media_resolver import MediaResolver
from shared.render.media.probe import probe_streams
from shared.render.run.pipelined import run_pipeline
from shared.render.run.runner import run_plan
from shared.render.run.segments import chunk_ranges
from shared.render.service import prepare_media, render_audio
from shared.timeline import Timeline
from tests.signals import synthetic_speech

pytestmark = [pytest.mark.ffmpeg, pytest.mark.slow]

FFMPEG = imageio_ffmpeg.get_ffmpeg_exe()
ENCODER = EncoderSettings(
    "libx264", ("-preset", "veryfast", "-crf", "12", "-profile:v", "high", "-pix_fmt", "yuv420p")
)
OPTIONS = RenderOptions(encoder=ENCODER)
W, H = 640, 360  # preview quality, 16:9


MIXED = ("fade", "wipeleft", "cut", "slideup", "dissolve")


def timeline_doc(
    photos: int, quality: str = "preview", clip_ms: int = 900, kinds: tuple[str, ...] = MIXED
) -> dict[str, Any]:
    """``photos`` moving photos with transitions of ``kinds`` in turn, a title across the first
    chunk boundary and a voice."""
    motions = ["zoom_in", "pan_right", "zoom_out", "pan_up"]
    return {
        "kind": "long_form",  # more clips than an ad's limit
        "format": {"aspect": "16:9", "fps": 30, "quality": quality},
        "video": [
            {
                "kind": "photo",
                "source": f"photo{i}.jpg",
                "duration_ms": clip_ms,
                "fit": "crop",
                "kenburns": {"motion": motions[i % 4], "strength": 1.0, "easing": "linear"},
                "transition": (
                    {"type": "cut"}
                    if kinds[i % len(kinds)] == "cut"
                    else {"type": kinds[i % len(kinds)], "duration_ms": 300}
                ),
            }
            for i in range(photos)
        ],
        "texts": [{"role": "title", "text": "Harbor Bakery", "start_ms": 300, "end_ms": 1800}],
        "voice": {"source": "voice.wav", "offset_ms": 200},
    }


@pytest.fixture(scope="module")
def media_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("pipelined-media")
    for i in range(12):
        draw_photo(seed=70 + i, width=1600, height=1200).save(folder / f"photo{i}.jpg", quality=90)
    write_wav(folder / "voice.wav", synthetic_speech(2.0))
    return folder


def prepared(
    media_dir: Path, timeline: Timeline, work: Path, audio: bool = True
) -> tuple[dict[str, MediaInfo], MediaInfo | None]:
    media = prepare_media(timeline, MediaResolver(media_dir), work)
    mix = render_audio(timeline, media, OPTIONS, work, ffmpeg=FFMPEG) if audio else None
    return media, mix


def frames_of(path: Path) -> np.ndarray:
    argv = [FFMPEG, "-v", "error", "-i", str(path), "-map", "0:v", "-f", "rawvideo"]
    raw = subprocess.run([*argv, "-pix_fmt", "yuv420p", "-"], capture_output=True, check=True)
    return np.frombuffer(raw.stdout, np.uint8).reshape(-1, H * W * 3 // 2).astype(np.float32)


def ffmpeg_children() -> list[int]:
    """FFmpeg processes whose parent is this test process."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        name, rest = stat[stat.index("(") + 1 : stat.rindex(")")], stat[stat.rindex(")") + 2 :]
        if "ffmpeg" in name and int(rest.split()[1]) == os.getpid():
            found.append(int(entry.name))
    return found


def test_chunks_cut_at_clip_ends_and_cover_every_frame() -> None:
    timeline = Timeline.model_validate(timeline_doc(7))
    ends = {s.end for s in clip_spans(timeline)}
    ranges = chunk_ranges(timeline, 3)
    assert ranges[0][0] == 0 and ranges[-1][1] == total_frames(timeline)
    assert all(a[1] == b[0] for a, b in zip(ranges, ranges[1:], strict=False))
    assert all(end in ends for _, end in ranges)
    assert len(ranges) == 3  # 7 clips: 3 + 3 + 1
    with pytest.raises(ValueError, match="clips_per_chunk"):
        chunk_ranges(timeline, 0)


def test_pipelined_equals_one_graph(media_dir: Path, tmp_path: Path) -> None:
    doc = timeline_doc(5)
    doc["video"][3]["kenburns"] = {"motion": "none"}  # a still: its input's rate is not the fps
    timeline = Timeline.model_validate(doc)
    media, mix = prepared(media_dir, timeline, tmp_path / "work")
    one = run_plan(
        compile_video_plan(timeline, media, OPTIONS, mix), tmp_path / "one.mp4", ffmpeg=FFMPEG
    )
    plan = compile_pipelined_plan(timeline, media, OPTIONS, mix, clips_per_chunk=2, drawn=False)
    assert len(plan.chunks) == 3
    seen: list[float] = []
    piped = run_pipeline(
        plan, tmp_path / "piped.mp4", ffmpeg=FFMPEG, progress=lambda p, _: seen.append(p)
    )
    assert piped.frame_count == one.frame_count == total_frames(timeline)
    assert piped.duration_ms == one.duration_ms
    assert seen and seen[-1] == 100.0 and seen == sorted(seen)
    a, b = frames_of(one.path), frames_of(piped.path)
    assert a.shape == b.shape
    # The same raw frames reach the same encoder settings: the decoded pictures are identical.
    assert float(np.abs(a - b).max()) == 0.0
    assert piped.facts.audio is not None and piped.facts.audio.codec == "aac"


def _vm_hwm_mib(pid: int) -> float:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0.0
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0  # a zombie has no memory left to report


def _peak_rss_mib(plans: tuple[RenderPlan, ...] | list[RenderPlan], cwd: Path) -> float:
    """The largest peak RSS of these producer plans, each run alone to /dev/null.

    Read from the process's own high-water mark (VmHWM) while it runs: wait4's ru_maxrss would
    also count this test process's memory, which the child inherits until it execs FFmpeg.
    """
    peak = 0.0
    for plan in plans:
        for name, text in plan.text_files.items():
            (cwd / name).write_text(text, encoding="utf-8")
        argv = plan.argv(FFMPEG, "-")
        proc = subprocess.Popen(
            [argv[0], "-v", "error", *argv[1:]], cwd=cwd, stdout=subprocess.DEVNULL
        )
        while proc.poll() is None:
            peak = max(peak, _vm_hwm_mib(proc.pid))
            time.sleep(0.02)
        assert proc.returncode == 0
    return peak


def test_producer_memory_does_not_grow_with_photos(media_dir: Path, tmp_path: Path) -> None:
    peaks = {}
    one_graph = {}
    for photos in (4, 12):
        # Fades only: every chunk holds the same number of photos (its clips + the next one).
        doc = timeline_doc(photos, quality="final", clip_ms=700, kinds=("fade",))
        timeline = Timeline.model_validate(doc)
        work = tmp_path / f"w{photos}"
        media, _ = prepared(media_dir, timeline, work, audio=False)
        plan = compile_pipelined_plan(timeline, media, OPTIONS, None, drawn=False)
        peaks[photos] = _peak_rss_mib(plan.chunks, work)
        one_graph[photos] = _peak_rss_mib([compile_frames_plan(timeline, media)], work)
    # The measure sees photo memory: one graph holding every photo grows by far more...
    assert one_graph[12] - one_graph[4] > 100, one_graph
    # ...while no producer holds more than one chunk's photos.
    assert peaks[12] - peaks[4] < 25, peaks
    assert peaks[12] < one_graph[12] / 2, (peaks, one_graph)


def _broken(plan: RenderPlan) -> RenderPlan:
    return replace(plan, filter_graph="[0:v]nosuchfilter[vout]")


@pytest.fixture(scope="module")
def small_plan(media_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> PipelinedPlan:
    timeline = Timeline.model_validate(timeline_doc(6))
    media, mix = prepared(media_dir, timeline, tmp_path_factory.mktemp("small"))
    return compile_pipelined_plan(timeline, media, OPTIONS, mix, clips_per_chunk=2, drawn=False)


def _assert_clean(folder: Path) -> None:
    assert list(folder.glob("*.mp4")) == [] and list(folder.glob(".*partial*")) == []
    deadline = time.monotonic() + 2
    while ffmpeg_children() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert ffmpeg_children() == []


def test_failing_producer_fails_the_render_with_its_stderr(
    small_plan: PipelinedPlan, tmp_path: Path
) -> None:
    chunks = list(small_plan.chunks)
    chunks[1] = _broken(chunks[1])
    started = time.monotonic()
    with pytest.raises(RenderFailed) as caught:
        run_pipeline(replace(small_plan, chunks=tuple(chunks)), tmp_path / "o.mp4", ffmpeg=FFMPEG)
    assert time.monotonic() - started < 30
    assert "chunk 2/3" in str(caught.value)
    assert "nosuchfilter" in caught.value.stderr_tail
    _assert_clean(tmp_path)


def test_short_producer_fails_the_render(small_plan: PipelinedPlan, tmp_path: Path) -> None:
    chunks = list(small_plan.chunks)
    first = chunks[0]
    args = list(first.output_args)
    args[args.index("-frames:v") + 1] = str(first.frame_count - 3)
    chunks[0] = replace(first, output_args=tuple(args))
    with pytest.raises(RenderFailed, match=r"chunk 1/3 .*produced .* frames, expected"):
        run_pipeline(replace(small_plan, chunks=tuple(chunks)), tmp_path / "o.mp4", ffmpeg=FFMPEG)
    _assert_clean(tmp_path)


def test_dead_encoder_fails_the_render_without_deadlock(
    small_plan: PipelinedPlan, tmp_path: Path
) -> None:
    encode = small_plan.encode
    args = list(encode.output_args)
    args[args.index("-c:v") + 1] = "nosuchencoder"
    plan = replace(small_plan, encode=replace(encode, output_args=tuple(args)))
    started = time.monotonic()
    with pytest.raises(RenderFailed, match="encoder") as caught:
        run_pipeline(plan, tmp_path / "o.mp4", ffmpeg=FFMPEG)
    assert time.monotonic() - started < 30
    assert "nosuchencoder" in caught.value.stderr_tail
    _assert_clean(tmp_path)


def test_cancel_stops_every_process_within_a_second(media_dir: Path, tmp_path: Path) -> None:
    timeline = Timeline.model_validate(timeline_doc(6, clip_ms=4000))  # long enough to catch
    media, mix = prepared(media_dir, timeline, tmp_path / "work")
    plan = compile_pipelined_plan(timeline, media, OPTIONS, mix, clips_per_chunk=2, drawn=False)
    cancel = threading.Event()
    cancelled_at: list[float] = []

    def cancel_when_streaming() -> None:
        # The encoder and at least one producer are running: frames are flowing.
        while len(ffmpeg_children()) < 2:
            time.sleep(0.02)
        time.sleep(0.3)
        cancelled_at.append(time.monotonic())
        cancel.set()

    watcher = threading.Thread(target=cancel_when_streaming, daemon=True)
    watcher.start()
    with pytest.raises(Cancelled):
        run_pipeline(plan, tmp_path / "o.mp4", ffmpeg=FFMPEG, cancel=cancel)
    assert cancelled_at and time.monotonic() - cancelled_at[0] < 1.0
    watcher.join(timeout=1)
    _assert_clean(tmp_path)


def test_render_timeline_output_probes_right(media_dir: Path, tmp_path: Path) -> None:
    """The service's default path is the pipelined one: a probed, checked MP4 and a poster."""
    from shared.render.service import render_timeline

    timeline = Timeline.model_validate(timeline_doc(4))
    result = render_timeline(
        timeline, MediaResolver(media_dir), tmp_path / "r.mp4", encoder=ENCODER, ffmpeg=FFMPEG
    )
    facts = probe_streams(result.video_path, count_frames=True)
    assert facts.video is not None and facts.video.frame_count == total_frames(timeline)
    assert (facts.video.width, facts.video.height) == (W, H)
    assert result.poster_path.exists()


def test_without_splice_the_frames_go_through_python(
    small_plan: PipelinedPlan, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where os.splice does not exist (a GPU box on another system) the same frames arrive."""
    monkeypatch.delattr(os, "splice")
    result = run_pipeline(small_plan, tmp_path / "copied.mp4", ffmpeg=FFMPEG)
    assert result.frame_count == small_plan.encode.frame_count
