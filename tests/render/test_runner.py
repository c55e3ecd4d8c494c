"""The FFmpeg runner on hand-built plans: progress, cancel, timeout, failures, checked output."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from shared.errors import Cancelled, RenderFailed
from shared.render.graph.plan import InputSpec, RenderPlan
from shared.render.run.runner import filter_errors, run_plan

pytestmark = pytest.mark.ffmpeg
FONT = Path(__file__).resolve().parents[2] / "shared" / "render" / "fonts" / "DejaVuSans-Bold.ttf"
X264 = ("-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p")


def video_plan(
    seconds: float, *, graph: str = "[0:v]format=yuv420p[v]", **kw: object
) -> RenderPlan:
    fps = 30
    return RenderPlan(
        inputs=(InputSpec(f"testsrc2=s=320x180:r={fps}:d={seconds}", ("-f", "lavfi")),),
        filter_graph=graph,
        output_args=("-map", "[v]", *X264),
        duration_ms=round(seconds * 1000),
        frame_count=round(seconds * fps),
        **kw,  # type: ignore[arg-type]
    )


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_progress_rises_to_100_and_the_output_is_checked(tmp_path: Path) -> None:
    calls: list[tuple[float, str]] = []
    threads = set()

    def progress(percent: float, step: str) -> None:
        calls.append((percent, step))
        threads.add(threading.get_ident())

    result = run_plan(video_plan(2.0), tmp_path / "out.mp4", progress=progress, step="Encoding")
    assert result.frame_count == 60 and abs(result.duration_ms - 2000) <= 34
    assert result.size_bytes == (tmp_path / "out.mp4").stat().st_size > 0
    percents = [p for p, _ in calls]
    assert percents == sorted(percents) and percents[-1] == 100.0
    assert {s for _, s in calls} == {"Encoding"}
    assert threads == {threading.get_ident()}  # callbacks on the caller's thread
    assert leftovers(tmp_path) == ["out.mp4"]


def test_progress_is_throttled_to_a_few_calls_a_second(tmp_path: Path) -> None:
    stamps: list[float] = []
    run_plan(
        video_plan(6.0), tmp_path / "o.mp4", progress=lambda p, s: stamps.append(time.monotonic())
    )
    gaps = [b - a for a, b in zip(stamps, stamps[1:-1], strict=False)]
    assert all(gap >= 0.2 for gap in gaps)


def test_text_files_are_written_where_ffmpeg_runs(tmp_path: Path) -> None:
    graph = (
        f"[0:v]drawtext=fontfile={FONT}:textfile=title.txt:expansion=none:fontsize=40:"
        "fontcolor=white:x=10:y=10,format=yuv420p[v]"
    )
    plan = video_plan(0.5, graph=graph, text_files={"title.txt": "Sale: 50% off"})
    run_plan(plan, tmp_path / "t.mp4")
    with pytest.raises(ValueError, match="bare file name"):
        run_plan(video_plan(0.5, text_files={"../escape.txt": "x"}), tmp_path / "u.mp4")


def test_cancel_stops_ffmpeg_within_a_second_and_leaves_nothing(tmp_path: Path) -> None:
    cancel = threading.Event()
    started = threading.Event()
    cancelled_at: list[float] = []

    def progress(percent: float, step: str) -> None:
        started.set()
        if percent > 2 and not cancel.is_set():
            cancelled_at.append(time.monotonic())
            cancel.set()

    plan = video_plan(600.0)  # minutes of work at ultrafast on 2 cores: never finishes first
    with pytest.raises(Cancelled):
        run_plan(plan, tmp_path / "out.mp4", progress=progress, cancel=cancel)
    assert time.monotonic() - cancelled_at[0] < 1.0
    assert leftovers(tmp_path) == []


def test_cancel_accepts_a_callable(tmp_path: Path) -> None:
    deadline = time.monotonic() + 0.5
    with pytest.raises(Cancelled):
        run_plan(video_plan(600.0), tmp_path / "o.mp4", cancel=lambda: time.monotonic() > deadline)
    assert leftovers(tmp_path) == []


def test_timeout_kills_ffmpeg_and_leaves_nothing(tmp_path: Path) -> None:
    started = time.monotonic()
    with pytest.raises(RenderFailed, match="did not finish within 0.5 s"):
        run_plan(video_plan(600.0), tmp_path / "o.mp4", timeout_s=0.5)
    assert time.monotonic() - started < 2.0
    assert leftovers(tmp_path) == []


def test_ffmpeg_failure_carries_the_stderr_tail(tmp_path: Path) -> None:
    plan = video_plan(0.5, graph="[0:v]scale=w=notanumber:h=-2,format=yuv420p[v]")
    with pytest.raises(RenderFailed) as caught:
        run_plan(plan, tmp_path / "o.mp4")
    assert "FFmpeg exited with code" in caught.value.message
    assert "notanumber" in caught.value.stderr_tail
    assert caught.value.returncode not in (None, 0)
    assert leftovers(tmp_path) == []


def test_exit_zero_with_the_wrong_length_is_a_failure(tmp_path: Path) -> None:
    plan = RenderPlan(
        inputs=(InputSpec("testsrc2=s=320x180:r=30:d=1", ("-f", "lavfi")),),
        filter_graph="[0:v]format=yuv420p[v]",
        output_args=("-map", "[v]", *X264),
        duration_ms=2000,  # the graph only makes one second
        frame_count=60,
    )
    with pytest.raises(RenderFailed, match="30 frames, the plan asked for 60"):
        run_plan(plan, tmp_path / "o.mp4")
    assert leftovers(tmp_path) == []


def test_audio_only_plan(tmp_path: Path) -> None:
    plan = RenderPlan(
        inputs=(InputSpec("sine=f=440:r=48000:d=1.5", ("-f", "lavfi")),),
        filter_graph="[0:a]volume=0.5[a]",
        output_args=("-map", "[a]", "-c:a", "pcm_s16le"),
        duration_ms=1500,
        frame_count=0,
    )
    result = run_plan(plan, tmp_path / "mix.wav")
    assert result.frame_count == 0 and abs(result.duration_ms - 1500) <= 25
    assert result.facts.audio is not None and result.facts.audio.codec == "pcm_s16le"


def test_only_error_lines_from_our_filters_count() -> None:
    lines = [
        "[Parsed_drawtext_3 @ 0x55d0c0] [error] Stray % near ' off'",
        "[Parsed_drawtext_3 @ 0x55d0c0] [warning] something mild",
        "[vost#0:0/libx264 @ 0x55d0c0] [enc:libx264 @ 0x1] [error] Task finished",
        "[out#0/mp4 @ 0x55d0c0] [info] muxing overhead",
    ]
    assert filter_errors(lines) == [lines[0]]
