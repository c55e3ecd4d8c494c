"""The segmented render against the single pass, with real FFmpeg on small generated media.

Every render here uses one high-quality x264 setting, so encoding noise stays far below the
difference between neighbouring frames: a frame in the wrong place at a seam cannot hide.
"""

from __future__ import annotations

import subprocess
import threading
from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import Any

import imageio_ffmpeg
import numpy as np
import pytest

from examples.make_media import draw_photo
from shared.errors import Cancelled, RenderFailed
from shared.pipeline.offline_audio import write_wav
from shared.render.draw.frame_plan import DrawnChunk
from shared.render.graph.compiler import PipelinedPlan
from shared.render.graph.plan import EncoderSettings, RenderPlan
from shared.render.graph.timing import total_frames
from shared.render.media.media_resolver import MediaResolver
from shared.render.media.probe import probe_streams
from shared.render.run.pipelined import run_pipeline
from shared.render.run.runner import RunResult
from shared.render.run.segmented import MAX_ATTEMPTS, render_segmented
from shared.render.run.segments import KeyContext, plan_segments
from shared.render.service import RenderResult, render_timeline
from shared.timeline import Timeline
from tests.music_bed import music_bed
from tests.signals import synthetic_speech

pytestmark = [pytest.mark.ffmpeg, pytest.mark.slow]

FFMPEG = imageio_ffmpeg.get_ffmpeg_exe()
ENCODER = EncoderSettings(
    "libx264", ("-preset", "veryfast", "-crf", "12", "-profile:v", "high", "-pix_fmt", "yuv420p")
)
W, H = 640, 360  # preview quality, 16:9


def timeline_doc() -> dict[str, Any]:
    """Five photos, 1.2 s each, with a fade, a wipe, a cut and a slide between them (seams after
    the wipe and at the cut), every clip moving, a title across the first seam and a CTA at the
    end, voice and music."""
    transitions = [
        {"type": "fade", "duration_ms": 300},
        {"type": "wipeleft", "duration_ms": 300},
        {"type": "cut"},
        {"type": "slideup", "duration_ms": 400},
        {"type": "cut"},
    ]
    motions = ["zoom_in", "pan_right", "zoom_out", "pan_up", "zoom_in"]
    return {
        "format": {"aspect": "16:9", "fps": 30, "quality": "preview"},
        "video": [
            {
                "kind": "photo",
                "source": f"photo{i}.jpg",
                "duration_ms": 1200,
                "fit": "crop",
                "kenburns": {"motion": motions[i], "strength": 1.0, "easing": "linear"},
                "transition": transitions[i],
            }
            for i in range(5)
        ],
        "texts": [
            {"role": "title", "text": "Harbor Bakery", "start_ms": 600, "end_ms": 2200},
            {"role": "cta", "text": "Visit us today", "start_ms": 4000, "end_ms": 4800},
        ],
        "voice": {"source": "voice.wav", "offset_ms": 300},
        "music": {"source": "music.wav"},
    }


@pytest.fixture(scope="module")
def media(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("segmented-media")
    for i in range(5):
        draw_photo(seed=40 + i, width=960, height=720).save(folder / f"photo{i}.jpg", quality=92)
    write_wav(folder / "voice.wav", synthetic_speech(3.0))
    write_wav(folder / "music.wav", music_bed(6.0))
    return folder


@pytest.fixture(scope="module")
def timeline() -> Timeline:
    return Timeline.model_validate(timeline_doc())


@pytest.fixture(scope="module")
def single(media: Path, timeline: Timeline, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("single") / "single.mp4"
    render_timeline(timeline, MediaResolver(media), out, encoder=ENCODER, ffmpeg=FFMPEG)
    return out


class Recorder:
    """The real runner, counting the segments it renders (by output name), optionally failing
    some attempts for real: a producer gets a graph that cannot be built, a drawn chunk a photo
    that is not there."""

    def __init__(self, fail: dict[str, int] | None = None) -> None:
        self.calls: Counter[str] = Counter()
        self._fail = dict(fail or {})
        self._lock = threading.Lock()

    def __call__(self, plan: PipelinedPlan, output: Path, **kwargs: Any) -> RunResult:
        with self._lock:
            self.calls[output.name] += 1
            failing = self._fail.get(output.name, 0) > 0
            if failing:
                self._fail[output.name] -= 1
        if failing:
            first = plan.chunks[0]
            if isinstance(first, DrawnChunk):  # drawn in process: its photo goes missing
                gone = replace(first.clips[0], path=str(output.with_name("missing.ppm")))
                broken: RenderPlan | DrawnChunk = replace(first, clips=(gone, *first.clips[1:]))
            else:
                broken = replace(first, filter_graph="[0:v]nosuchfilter[vout]")
            plan = replace(plan, chunks=(broken, *plan.chunks[1:]))
        return run_pipeline(plan, output, **kwargs)


def segmented(
    media: Path, timeline: Timeline, out: Path, cache: Path, run: Any = run_pipeline, **kw: Any
) -> RenderResult:
    return render_segmented(
        timeline,
        MediaResolver(media),
        out,
        segments=3,
        cache_dir=cache,
        encoder=ENCODER,
        ffmpeg=FFMPEG,
        run=run,
        **kw,
    )


def luma_frames(path: Path) -> np.ndarray:
    argv = [FFMPEG, "-v", "error", "-i", str(path), "-map", "0:v", "-f", "rawvideo"]
    raw = subprocess.run([*argv, "-pix_fmt", "gray", "-"], capture_output=True, check=True).stdout
    return np.frombuffer(raw, np.uint8).reshape(-1, H, W).astype(np.float32)


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    mse = float(np.mean((a - b) ** 2))
    return 99.0 if mse == 0 else 10 * np.log10(255**2 / mse)


def seams(timeline: Timeline) -> list[int]:
    """The first frame of every segment but the first (the keys do not matter here)."""
    context = KeyContext({c.source: "x" for c in timeline.video}, ENCODER)
    return [s.frame_range[0] for s in plan_segments(timeline, 3, context)[1:]]


def test_the_joined_video_equals_the_single_pass(
    media: Path, timeline: Timeline, single: Path, tmp_path: Path
) -> None:
    run = Recorder()
    seen: list[tuple[float, str]] = []
    result = segmented(
        media, timeline, tmp_path / "joined.mp4", tmp_path / "cache", run,
        progress=lambda percent, step: seen.append((percent, step)),
    )  # fmt: skip
    percents = [p for p, _ in seen]
    assert percents == sorted(percents) and percents[-1] == 100.0  # one bar, only forward
    assert any(step.startswith("Rendering segments (3/3)") for _, step in seen)
    reference = probe_streams(single, count_frames=True).video
    assert reference is not None

    assert sum(run.calls.values()) == 3  # three segments, each rendered once
    assert result.frame_count == total_frames(timeline) == reference.frame_count
    assert abs(result.duration_ms - reference.duration_ms) <= 1000 / 30
    assert (result.width, result.height, result.fps) == (W, H, 30.0)
    assert result.poster_path.exists() and result.loudness_lufs is not None
    assert abs(result.loudness_lufs - timeline.loudness.target_lufs) <= 1.0

    joined, ref = luma_frames(result.video_path), luma_frames(single)
    assert joined.shape == ref.shape
    same = [psnr(a, b) for a, b in zip(joined, ref, strict=True)]
    assert min(same) > 40, f"worst frame PSNR {min(same):.1f} dB"
    cuts = seams(timeline)
    assert len(cuts) == 2
    for cut in cuts:
        for f in range(cut - 2, cut + 2):
            # Frame-exact: each frame at a seam matches its own single-pass frame, not a neighbour.
            here = psnr(joined[f], ref[f])
            assert here > psnr(joined[f], ref[f - 1]) + 3, (cut, f)
            assert here > psnr(joined[f], ref[f + 1]) + 3, (cut, f)


def test_an_edit_re_renders_only_its_segment(
    media: Path, timeline: Timeline, tmp_path: Path
) -> None:
    cache = tmp_path / "it's a cache"  # the join's list never quotes the caller's path
    first = segmented(media, timeline, tmp_path / "first.mp4", cache)
    before = {p.name: p.stat().st_mtime_ns for p in cache.glob("*.mp4")}
    assert len(before) == 3

    doc = timeline_doc()
    doc["video"][4]["kenburns"]["motion"] = "pan_left"  # the last clip: the last segment only
    edited = Timeline.model_validate(doc)
    run = Recorder()
    second = segmented(media, edited, tmp_path / "second.mp4", cache, run)

    assert sum(run.calls.values()) == 1
    (rendered,) = run.calls
    assert rendered not in before
    after = {p.name: p.stat().st_mtime_ns for p in cache.glob("*.mp4")}
    assert {k: v for k, v in after.items() if k in before} == before  # the others untouched
    # The re-used segments are stream-copied: their frames decode bit-identical.
    a, b = luma_frames(first.video_path), luma_frames(second.video_path)
    last_cut = seams(edited)[-1]
    assert np.array_equal(a[:last_cut], b[:last_cut])
    assert not np.array_equal(a[last_cut:], b[last_cut:])

    # Unchanged again: nothing renders at all.
    run = Recorder()
    segmented(media, edited, tmp_path / "third.mp4", cache, run)
    assert sum(run.calls.values()) == 0


def test_a_segment_that_fails_once_is_retried_alone(
    media: Path, timeline: Timeline, single: Path, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    warm = Recorder()
    segmented(media, timeline, tmp_path / "warm.mp4", cache, warm)
    victim = sorted(warm.calls)[0]
    (cache / victim).unlink()  # that segment must render again, and its first attempt fails

    run = Recorder(fail={victim: 1})
    result = segmented(media, timeline, tmp_path / "retried.mp4", cache, run)
    assert run.calls == Counter({victim: 2})
    joined, ref = luma_frames(result.video_path), luma_frames(single)
    assert min(psnr(a, b) for a, b in zip(joined, ref, strict=True)) > 40


def test_a_segment_that_keeps_failing_fails_the_render_and_leaves_nothing(
    media: Path, timeline: Timeline, tmp_path: Path
) -> None:
    cache, out = tmp_path / "cache", tmp_path / "never.mp4"
    warm = Recorder()
    segmented(media, timeline, tmp_path / "warm.mp4", cache, warm)
    victim = sorted(warm.calls)[1]
    (cache / victim).unlink()
    run = Recorder(fail={victim: MAX_ATTEMPTS})
    with pytest.raises(RenderFailed, match="nosuchfilter|FFmpeg|missing.ppm is missing"):
        segmented(media, timeline, out, cache, run)
    assert run.calls == Counter({victim: MAX_ATTEMPTS})
    assert not out.exists() and not list(tmp_path.glob(".never*"))
    assert not (cache / victim).exists()


def test_segments_encoded_differently_are_not_joined(
    media: Path, timeline: Timeline, tmp_path: Path
) -> None:
    # A mixed fleet whose x264 builds disagree: one cached segment encoded with other settings
    # (one reference frame: another SPS). Joined by stream copy it would decode wrongly.
    cache, out = tmp_path / "cache", tmp_path / "mixed.mp4"
    segmented(media, timeline, tmp_path / "warm.mp4", cache)
    odd = sorted(cache.glob("*.mp4"))[1]
    other = odd.with_name("other.mp4")
    subprocess.run(
        [FFMPEG, "-v", "error", "-i", str(odd), "-c:v", "libx264", "-refs", "1", "-bf", "0",
         "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-an", str(other)],
        check=True,
    )  # fmt: skip
    other.replace(odd)
    run = Recorder()
    with pytest.raises(RenderFailed, match="1 of 3 parts .* encoded differently") as refused:
        segmented(media, timeline, out, cache, run)
    assert sum(run.calls.values()) == 0  # the segment itself is whole: only the join refuses
    assert not refused.value.retryable
    assert not out.exists() and not list(tmp_path.glob(".mixed*"))


def test_cancel_stops_every_segment_and_leaves_no_output(
    media: Path, timeline: Timeline, tmp_path: Path
) -> None:
    cancel = threading.Event()
    steps: list[str] = []

    def progress(percent: float, step: str) -> None:
        steps.append(step)
        if step.startswith("Rendering segments") and percent > 15:
            cancel.set()

    cache, out = tmp_path / "cache", tmp_path / "cancelled.mp4"
    with pytest.raises(Cancelled):
        segmented(media, timeline, out, cache, progress=progress, cancel=cancel)
    assert any(s.startswith("Rendering segments") for s in steps)
    assert not out.exists()
    assert not [p for p in cache.iterdir() if p.name.startswith(".")]  # no partial segment
