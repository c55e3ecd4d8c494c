"""Chunks drawn in process (photos, cuts, fades, texts) against the FFmpeg graph that would
otherwise draw them, and the drawer's own failure, cancel and memory behaviour."""

from __future__ import annotations

import os
import subprocess
import threading
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from shared.errors import Cancelled, RenderFailed
from shared.render.draw.frame_plan import DrawnChunk, compile_drawn_chunk, drawable, frame_at
from shared.render.graph import kenburns
from shared.render.graph.compiler import _texts, compile_pipelined_plan, output_size
from shared.render.graph.overlays import drawtext_filter, fade_factor
from shared.render.graph.plan import MediaInfo, MediaKind
from shared.render.graph.timing import clip_spans, total_frames
from shared.render.media.media_resolver import MediaResolver
from shared.render.media.poster import poster_time_ms, write_poster
from shared.render.media.probe import probe_streams
from shared.render.run.pipelined import run_pipeline, write_frames
from shared.render.service import render_timeline
from shared.render.text.text_sprites import SpriteBook, draw_sprites
from shared.timeline import Timeline
from tests.render.compiler_fixtures import dot_centroids, dot_timeline
from tests.render.test_pipelined import (
    FFMPEG,
    OPTIONS,
    ffmpeg_children,
    media_dir,  # noqa: F401  (a fixture)
    prepared,
    timeline_doc,
)

W, H = 640, 360


def _fake_media(timeline: Timeline) -> dict[str, MediaInfo]:
    return {
        c.source: MediaInfo(f"/m/{c.source}", MediaKind.IMAGE, width=1600, height=1200)
        for c in timeline.video
    }


def _inner(frame: np.ndarray, plane: int) -> np.ndarray:
    """Plane ``plane`` (0 Y, 1 U, 2 V) of a raw W x H yuv420p frame, without row and column 0."""
    luma, chroma = W * H, W * H // 4
    if plane == 0:
        return frame[:luma].reshape(H, W)[1:, 1:]
    start = luma + (plane - 1) * chroma
    return frame[start : start + chroma].reshape(H // 2, W // 2)[1:, 1:]


def _psnr(a: np.ndarray, b: np.ndarray) -> float:
    mse = float(np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2))
    return 99.0 if mse == 0 else 10 * np.log10(255**2 / mse)


# ---------------------------------------------------------------------------------------------
# The plan (pure)


def test_frame_parts_follow_fades_and_cuts() -> None:
    timeline = Timeline.model_validate(timeline_doc(3, kinds=("fade", "cut", "cut")))
    spans = clip_spans(timeline)
    size = output_size(timeline.format)
    texts = _texts(timeline, _fake_media(timeline), size)
    chunk = compile_drawn_chunk(
        timeline, _fake_media(timeline), (0, total_frames(timeline)), size, texts
    )
    assert chunk is not None and [c.index for c in chunk.clips] == [0, 1, 2]
    fade = spans[1]  # clip 1 fades in over the end of clip 0
    assert fade.overlap_in == 9  # 300 ms at 30 fps
    mixes = [frame_at(chunk, n).mix for n in range(fade.start, fade.start + fade.overlap_in)]
    assert mixes[0] == 0.0 and mixes == sorted(mixes) and mixes[-1] == pytest.approx(8 / 9)
    assert all(frame_at(chunk, n).incoming is not None for n in range(fade.start, spans[0].end))
    assert frame_at(chunk, spans[0].end).incoming is None
    assert frame_at(chunk, spans[0].end).base.index == 1
    cut = spans[2]  # a cut: the new clip from its first frame, alone
    assert cut.overlap_in == 0
    assert (
        frame_at(chunk, cut.start).base.index == 2 and frame_at(chunk, cut.start).incoming is None
    )
    title = texts[0]
    assert frame_at(chunk, title.window.start).texts == (title,)
    assert frame_at(chunk, title.window.start - 1).texts == ()


@pytest.mark.parametrize(
    ("kinds", "video", "ok"),
    [
        (("fade", "cut", "wipeleft", "slideup"), False, True),
        (("dissolve",), False, False),
        (("fade",), True, False),
    ],
)
def test_what_the_drawer_takes(kinds: tuple[str, ...], video: bool, ok: bool) -> None:
    doc = timeline_doc(3, kinds=kinds)
    if video:
        doc["video"][1] = {"kind": "video", "source": "clip.mp4", "duration_ms": 900}
    timeline = Timeline.model_validate(doc)
    assert drawable(timeline, clip_spans(timeline)) is ok


def test_fade_factor_is_the_graphs_alpha_expression() -> None:
    timeline = Timeline.model_validate(
        timeline_doc(2)
        | {
            "texts": [
                {"text": "Sale", "start_ms": 100, "end_ms": 1400, "fade_in_ms": 300,
                 "fade_out_ms": 200},
            ]
        }
    )  # fmt: skip
    (item,) = _texts(timeline, _fake_media(timeline), (W, H))
    alpha = drawtext_filter(item).split(":alpha=")[1].split(":enable=")[0].replace("\\", "")
    for n in range(item.window.start, item.window.end):
        expected = eval(alpha.replace("max", "max_").replace("min", "min_"), {  # noqa: S307
            "n": n, "max_": max, "min_": min,
        })  # fmt: skip
        assert fade_factor(item, n) == pytest.approx(expected)
    assert fade_factor(item, item.window.start) < 0.2 and fade_factor(item, 20) == 1.0


# ---------------------------------------------------------------------------------------------
# Drawn against the graph, with real FFmpeg


def _raw_frames(plan, path: Path, work: Path) -> np.ndarray:  # type: ignore[no-untyped-def]
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    write_frames(plan, fd, work_dir=work, ffmpeg=FFMPEG)
    return np.fromfile(path, np.uint8).reshape(-1, W * H * 3 // 2)


@pytest.mark.ffmpeg
@pytest.mark.slow
def test_drawn_frames_match_the_graphs(media_dir: Path, tmp_path: Path) -> None:  # noqa: F811
    """Same photos, windows, fades, wipes, slides, cuts and title as the FFmpeg graph draws:
    only the resampling differs (bilinear from a small cover against bicubic from a large one)."""
    doc = timeline_doc(5, kinds=("fade", "wipeleft", "cut", "slideup"))
    doc["video"][2]["kenburns"] = {"motion": "none"}  # a still
    doc["video"][3]["fit"] = "blur"
    doc["texts"][0] |= {"fade_in_ms": 300, "fade_out_ms": 300}
    timeline = Timeline.model_validate(doc)
    media, _ = prepared(media_dir, timeline, tmp_path / "work", audio=False)
    drawn = compile_pipelined_plan(timeline, media, OPTIONS, None, clips_per_chunk=2)
    assert [type(c) for c in drawn.chunks] == [DrawnChunk]  # adjacent chunks merged
    graph = compile_pipelined_plan(timeline, media, OPTIONS, None, clips_per_chunk=2, drawn=False)
    a = _raw_frames(drawn, tmp_path / "drawn.yuv", tmp_path)
    b = _raw_frames(graph, tmp_path / "graph.yuv", tmp_path)
    assert a.shape == b.shape == (total_frames(timeline), W * H * 3 // 2)
    # Row 0 and column 0 of each plane are left out: on a slide's first overlap frame xfade
    # reads one line (or pixel) past the picture there (see test_blends).
    luma = [_psnr(_inner(x, 0), _inner(y, 0)) for x, y in zip(a, b, strict=True)]
    chroma = [
        min(_psnr(_inner(x, p), _inner(y, p)) for p in (1, 2)) for x, y in zip(a, b, strict=True)
    ]
    # A window one pixel off, a fade the wrong way or a missing title costs far more than this.
    # (Measured: luma 31 dB at worst, 41 on average; chroma 40 at worst.)
    assert min(luma) > 29, (int(np.argmin(luma)), min(luma))
    assert min(chroma) > 36, (int(np.argmin(chroma)), min(chroma))
    assert float(np.mean(luma)) > 37
    # The check can fail: the same frames one pixel off score far lower.
    mid = len(a) // 2
    shifted = np.roll(a[mid][: W * H].reshape(H, W), 1, axis=1)[:, 8:-8]
    assert _psnr(shifted, b[mid][: W * H].reshape(H, W)[:, 8:-8]) < luma[mid] - 6


@pytest.mark.ffmpeg
def test_a_missing_photo_fails_the_drawn_chunk_by_name(tmp_path: Path) -> None:
    timeline = Timeline.model_validate(timeline_doc(3, kinds=("fade",)))
    media = _fake_media(timeline)
    plan = compile_pipelined_plan(timeline, media, OPTIONS, None)
    with pytest.raises(RenderFailed, match=r"chunk 1/1 \(frames 0-\d+, drawn in process\)"):
        run_pipeline(plan, tmp_path / "o.mp4", ffmpeg=FFMPEG)
    assert not list(tmp_path.glob("*.mp4")) and not list(tmp_path.glob(".*partial*"))


@pytest.mark.ffmpeg
@pytest.mark.slow
def test_cancel_stops_a_drawn_render_within_a_second(
    media_dir: Path,  # noqa: F811
    tmp_path: Path,
) -> None:
    timeline = Timeline.model_validate(timeline_doc(4, clip_ms=6000, kinds=("fade",)))
    media, mix = prepared(media_dir, timeline, tmp_path / "work")
    plan = compile_pipelined_plan(timeline, media, OPTIONS, mix)
    assert all(isinstance(c, DrawnChunk) for c in plan.chunks)
    cancel = threading.Event()
    seen: list[float] = []

    def cancel_once_encoding() -> None:
        while not seen:
            time.sleep(0.02)
        cancel.set()
        seen.append(time.monotonic())

    watcher = threading.Thread(target=cancel_once_encoding, daemon=True)
    watcher.start()
    with pytest.raises(Cancelled):
        run_pipeline(
            plan, tmp_path / "o.mp4", ffmpeg=FFMPEG, cancel=cancel,
            progress=lambda p, _: seen.append(p) if p > 5 and not seen else None,
        )  # fmt: skip
    assert time.monotonic() - seen[-1] < 1.0
    watcher.join(timeout=1)
    assert not ffmpeg_children()
    assert not list(tmp_path.glob("*.mp4"))


@pytest.mark.ffmpeg
@pytest.mark.slow
def test_drawn_render_is_a_checked_mp4_with_audio(media_dir: Path, tmp_path: Path) -> None:  # noqa: F811
    timeline = Timeline.model_validate(timeline_doc(4, kinds=("fade", "cut")))
    result = render_timeline(
        timeline, MediaResolver(media_dir), tmp_path / "r.mp4",
        encoder=OPTIONS.encoder, ffmpeg=FFMPEG,
    )  # fmt: skip
    facts = probe_streams(result.video_path, count_frames=True)
    assert facts.video is not None and facts.video.frame_count == total_frames(timeline)
    assert facts.audio is not None and facts.audio.codec == "aac"
    assert result.loudness_lufs == pytest.approx(timeline.loudness.target_lufs, abs=1.0)
    # The poster is the frame the drawer kept: the same picture as the MP4's at that time.
    decoded = tmp_path / "decoded.jpg"
    write_poster(result.video_path, decoded, poster_time_ms(timeline), ffmpeg=FFMPEG)
    kept, again = (np.asarray(Image.open(p).convert("L"), np.float64) for p in
                   (result.poster_path, decoded))  # fmt: skip
    assert kept.shape == again.shape == (H, W)
    assert _psnr(kept, again) > 32
    other = tmp_path / "other.jpg"  # the check can fail: a frame a second later differs
    write_poster(result.video_path, other, poster_time_ms(timeline) + 1000, ffmpeg=FFMPEG)
    assert _psnr(kept, np.asarray(Image.open(other).convert("L"), np.float64)) < 28


@pytest.mark.ffmpeg
def test_a_sprite_draws_what_drawtext_draws(tmp_path: Path) -> None:
    """Text with a half-transparent box over a busy frame: the sprite (drawtext over black and
    white, composited by us) gives drawtext's own pixels, at full opacity and mid-fade."""
    doc = timeline_doc(2, clip_ms=1000)
    doc["texts"] = [
        {"text": "Fresh bread 100% daily", "start_ms": 0, "end_ms": 1500, "fade_in_ms": 500,
         "style": {"box": True, "box_color": "#102030", "box_opacity": 0.5, "color": "#FFD700"}},
    ]  # fmt: skip
    timeline = Timeline.model_validate(doc)
    (item,) = _texts(timeline, _fake_media(timeline), (W, H))
    (tmp_path / item.file_name).write_text(item.block.text, encoding="utf-8")
    sprite = draw_sprites([item], (W, H), tmp_path, FFMPEG)[item.file_name]
    rng = np.random.default_rng(5)
    frames = rng.integers(16, 236, (item.fade_in_frames + 2, W * H * 3 // 2), dtype=np.uint8)
    argv = [FFMPEG, "-v", "error", "-f", "rawvideo", "-pix_fmt", "yuv420p", "-s", f"{W}x{H}"]
    argv += ["-i", "-", "-vf", drawtext_filter(item), "-f", "rawvideo", "-pix_fmt", "yuv420p", "-"]
    done = subprocess.run(argv, input=frames.tobytes(), capture_output=True, cwd=tmp_path)
    expected = np.frombuffer(done.stdout, np.uint8).reshape(frames.shape)
    for n in (3, item.fade_in_frames + 1):  # mid-fade, then fully shown
        ours = frames[n].copy()
        luma, chroma = W * H, W * H // 4
        planes = [
            ours[:luma].reshape(H, W),
            ours[luma : luma + chroma].reshape(H // 2, W // 2),
            ours[luma + chroma :].reshape(H // 2, W // 2),
        ]
        sprite.draw(planes, fade_factor(item, n))
        diff = np.abs(ours.astype(int) - expected[n].astype(int))
        assert np.count_nonzero(expected[n] != frames[n]) > 2000  # the text is there
        assert diff[:luma].max() <= 3 and diff.mean() < 0.05, (n, diff.max(), diff.mean())


@pytest.mark.ffmpeg
@pytest.mark.slow
def test_drawer_memory_does_not_grow_with_photos(media_dir: Path, tmp_path: Path) -> None:  # noqa: F811
    """The drawer holds the photos on screen only: 12 photos peak like 4 (numpy's allocations,
    which OpenCV's results are, as tracemalloc sees them)."""
    peaks = {}
    for photos in (4, 12):
        doc = timeline_doc(photos, quality="final", clip_ms=700, kinds=("fade",))
        timeline = Timeline.model_validate(doc)
        media, _ = prepared(media_dir, timeline, tmp_path / f"w{photos}", audio=False)
        plan = compile_pipelined_plan(timeline, media, OPTIONS, None)
        assert all(isinstance(c, DrawnChunk) for c in plan.chunks)
        sink = os.open(os.devnull, os.O_WRONLY)
        tracemalloc.start()
        try:
            write_frames(plan, sink, work_dir=tmp_path, ffmpeg=FFMPEG)
            peaks[photos] = tracemalloc.get_traced_memory()[1] / 2**20
        finally:
            tracemalloc.stop()
    one_cover = 1920 * 1.5 * 1.0625 * 1080 * 1.5 * 1.0625 * 1.5 / 2**20  # MiB, zoom 1.5
    assert peaks[12] - peaks[4] < one_cover, peaks  # not 8 more photos' worth
    assert peaks[4] < 8 * one_cover, peaks  # two photos and a few frames, not every photo


@pytest.mark.ffmpeg
def test_drawn_ken_burns_moves_a_dot_smoothly(tmp_path: Path) -> None:
    """The wobble test on the drawer: track a bright dot frame by frame in the raw frames it
    writes; it must follow the exact motion to a small fraction of a pixel, without judder."""
    pw, ph = 1440, 810
    timeline, media, dot = dot_timeline(tmp_path, pw, ph)
    plan = compile_pipelined_plan(timeline, media, OPTIONS, None)
    assert [type(c) for c in plan.chunks] == [DrawnChunk]
    frames = _raw_frames(plan, tmp_path / "kb.yuv", tmp_path)
    measured = dot_centroids(frames[:, : W * H].reshape(-1, H, W).astype(np.float64))
    path = kenburns.resolve(timeline.video[0].kenburns)  # type: ignore[union-attr]
    assert path is not None
    expected = []
    for n in range(60):
        w = kenburns.exact_window(path, n, 60, pw, ph)  # in photo pixels: the cover scales it
        sx, sy = W / w.w, H / w.h
        expected.append(((dot[0] + 0.5 - w.x) * sx - 0.5, (dot[1] + 0.5 - w.y) * sy - 0.5))
    error = measured - np.array(expected)
    assert np.abs(error).max() < 0.15  # the graph's zoompan: up to 0.5
    assert np.sqrt(np.mean(np.diff(error, axis=0) ** 2)) < 0.05  # the graph's: up to 0.25
    # Every step goes the way and the length the motion goes (about +1.5 and -0.3 px a frame).
    steps, exact_steps = np.diff(measured, axis=0), np.diff(np.array(expected), axis=0)
    assert (np.sign(steps) == np.sign(exact_steps)).all()
    assert np.abs(steps - exact_steps).max() < 0.1


@pytest.mark.ffmpeg
def test_sprites_are_drawn_as_needed_and_dropped_once_shown(tmp_path: Path) -> None:
    """Forty texts one after another (a long video's captions): the book holds a batch or two
    of sprites at a time, never all, and draws each as the one-go drawing does."""
    doc = timeline_doc(3, clip_ms=1200)
    doc["texts"] = [
        {
            "text": f"Line {i} of the script",
            "start_ms": i * 60,
            "end_ms": i * 60 + 90,
            "fade_in_ms": 0,
            "fade_out_ms": 0,
        }
        for i in range(40)
    ]
    timeline = Timeline.model_validate(doc)
    items = _texts(timeline, _fake_media(timeline), (W, H))
    for item in items:
        (tmp_path / item.file_name).write_text(item.block.text, encoding="utf-8")
    book = SpriteBook(items, (W, H), tmp_path, FFMPEG)
    held = []
    for frame in range(total_frames(timeline)):
        for item in items:
            if item.window.start <= frame < item.window.end:
                book.get(item)
        book.release_before(frame + 1)
        held.append(len(book))
    assert max(held) <= 2 * SpriteBook.BATCH and held[-1] == 0
    one_go = draw_sprites(items[20:22], (W, H), tmp_path, FFMPEG)
    again = SpriteBook(items, (W, H), tmp_path, FFMPEG).get(items[21])
    expected = one_go[items[21].file_name].layers
    assert len(again.layers) == len(expected)
    for got, want in zip(again.layers, expected, strict=True):
        assert (got.x, got.y) == (want.x, want.y)
        assert all(np.array_equal(a, b) for a, b in zip(got.constant, want.constant, strict=True))
    with pytest.raises(KeyError, match="not a text of this render"):
        book.get(items[0])  # shown and dropped: a render never asks again
