"""Render tiny plans with the real FFmpeg and check the pictures and sound they make."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np
import pytest

from shared.render.graph import kenburns
from shared.render.graph.compiler import (
    RenderOptions,
    compile_audio_plan,
    compile_video_plan,
    output_size,
)
from shared.render.graph.plan import EncoderSettings, MediaInfo, MediaKind
from shared.render.text.text_layout import layout_text, safe_area
from shared.timeline import Anchor, Font, Timeline, TransitionType, parse_timeline
from tests.render.compiler_fixtures import (
    OPTIONS,
    dot_centroids,
    dot_timeline,
    gradient_photo,
    luma_frames,
    render,
    video_facts,
    write_photo,
    write_tone,
    write_video,
)

pytestmark = pytest.mark.ffmpeg

# ultrafast drops the High-profile tools; the format test checks the profile of a real preset.
FINAL_LIKE = RenderOptions(EncoderSettings("libx264", ("-preset", "veryfast", "-crf", "23")))


def _flat(path: Path, value: int, width: int = 480, height: int = 270) -> MediaInfo:
    return write_photo(path, np.full((height, width, 3), value, np.uint8))


def _audio_samples(path: Path) -> np.ndarray:
    with av.open(str(path)) as container:
        stream = container.streams.audio[0]
        assert stream.codec_context.sample_rate == 48000 and stream.codec_context.channels == 2
        chunks = [f.to_ndarray().reshape(-1, 2).T for f in container.decode(audio=0)]
    return np.concatenate(chunks, axis=1)  # (channels, samples); WAV float is interleaved


@pytest.mark.slow
def test_every_transition_type_renders_exact_frames(tmp_path: Path) -> None:
    kinds = [t for t in TransitionType if t is not TransitionType.CUT] + [TransitionType.CUT]
    media, video = {}, []
    for i, kind in enumerate([*kinds, None]):
        name = f"p{i}.png"
        media[name] = _flat(tmp_path / name, 30 + (i % 2) * 180)
        clip = {"kind": "photo", "source": name, "duration_ms": 500, "fit": "crop",
                "kenburns": {"motion": "none"}}  # fmt: skip
        if kind is not None:
            clip["transition"] = {
                "type": kind.value,
                "duration_ms": 200 if kind.value != "cut" else 0,
            }
        video.append(clip)
    timeline = parse_timeline(
        {"kind": "long_form", "format": {"quality": "preview"}, "video": video}
    )
    plan = compile_video_plan(timeline, media, OPTIONS, None)
    out, _ = render(plan, tmp_path, "all.mp4")
    frames = luma_frames(out)
    assert len(frames) == plan.frame_count == 15 * 20 - 6 * 19 + 6  # 20 clips, 18 blends of 6
    means = frames.mean(axis=(1, 2))
    start = 0
    for clip_index, kind in enumerate(kinds):
        start += 15 - (6 if kind is not TransitionType.CUT else 0)
        if kind is TransitionType.CUT:
            continue
        outgoing, incoming = frames[start - 1], frames[start + 6]
        # some frame of the blend is neither the outgoing nor the incoming photo
        mixed = [
            np.abs(frames[k] - outgoing).mean() > 5 and np.abs(frames[k] - incoming).mean() > 5
            for k in range(start, start + 6)
        ]
        assert any(mixed), (clip_index, kind)
        assert np.abs(means[start + 6] - means[start - 1]) > 100  # and it did change photo


@pytest.mark.parametrize("aspect", ["16:9", "9:16", "1:1"])
def test_each_format_renders_with_its_mix(tmp_path: Path, aspect: str) -> None:
    media = {
        "a.jpg": gradient_photo(tmp_path / "a.jpg", 800, 600, seed=1),
        "v.mp4": write_video(tmp_path / "v.mp4", 320, 240, 25, 2.0),
        "voice.wav": write_tone(tmp_path / "voice.wav", 900, 1.0),
        "music.wav": write_tone(tmp_path / "music.wav", 220, 0.8),
    }
    timeline = parse_timeline(
        {
            "format": {"aspect": aspect, "fps": 25, "quality": "preview"},
            "video": [
                {"kind": "photo", "source": "a.jpg", "duration_ms": 1000, "fit": "blur",
                 "transition": {"type": "slideleft", "duration_ms": 240}},
                {"kind": "video", "source": "v.mp4", "duration_ms": 800, "trim_start_ms": 400},
            ],
            "texts": [{"text": "Hello", "start_ms": 0, "end_ms": 1500}],
            "captions": {},
            "voice": {"source": "voice.wav", "offset_ms": 200, "script": "Hello there friends"},
            "music": {"source": "music.wav"},
        }
    )  # fmt: skip
    mix, _ = render(compile_audio_plan(timeline, media, OPTIONS), tmp_path, "mix.wav")
    assert _audio_samples(mix).shape == (2, 39 * 1920)  # 1560 ms = 39 frames at 25 fps
    audio = MediaInfo(str(mix), MediaKind.AUDIO, duration_ms=1560, container="wav")
    plan = compile_video_plan(timeline, media, FINAL_LIKE, audio)
    out, _ = render(plan, tmp_path, "out.mp4")
    facts = video_facts(out)
    width, height = output_size(timeline.format)
    assert (facts["width"], facts["height"], facts["fps"]) == (width, height, 25.0)
    assert facts["frames"] == 39 and facts["audio_streams"] == 1
    assert facts["profile"] == "High"


def test_ken_burns_moves_a_dot_smoothly_with_sub_pixel_precision(tmp_path: Path) -> None:
    """The wobble test: track a bright dot frame by frame; it must follow the exact motion."""
    width, height = 640, 360
    pw, ph = round(kenburns.PRESCALE * width), round(kenburns.PRESCALE * height)
    timeline, media, dot = dot_timeline(tmp_path, pw, ph)
    out, _ = render(compile_video_plan(timeline, media, OPTIONS, None), tmp_path, "kb.mp4")
    measured = dot_centroids(luma_frames(out))
    path = kenburns.resolve(timeline.video[0].kenburns)  # type: ignore[union-attr]
    assert path is not None
    expected, modelled = [], []
    for n in range(60):
        for out, w in (
            (expected, kenburns.exact_window(path, n, 60, pw, ph)),
            (modelled, kenburns.sampled_window(path, n, 60, pw, ph)),
        ):
            sx, sy = width / w.w, height / w.h
            out.append(((dot[0] + 0.5 - w.x) * sx - 0.5, (dot[1] + 0.5 - w.y) * sy - 0.5))
    # FFmpeg samples exactly the window kenburns.sampled_window predicts (what the unit tests
    # measure against the bench targets)...
    assert np.abs(measured - np.array(modelled)).max() < 0.05
    # ...which stays within half a pixel of the exact motion, without judder.
    error = measured - np.array(expected)
    assert np.abs(error).max() < 0.5
    assert np.sqrt(np.mean(np.diff(error, axis=0) ** 2)) < 0.25
    steps = np.diff(measured, axis=0)
    assert (steps[:, 0] > 0).all()  # the main motion never steps back...
    # ...and the slow axis (0.3 px/frame) at most by a fraction of zoompan's 1-input-px grid
    assert (steps[:, 1] < 0.15).all()


def _text_timeline(text: str | None) -> Timeline:
    texts = (
        [
            {
                "text": text,
                "start_ms": 0,
                "end_ms": 1000,
                "anchor": "top",
                "fade_in_ms": 0,
                "fade_out_ms": 0,
                "style": {"size": 0.08},
            }
        ]  # fmt: skip
        if text
        else []
    )
    return parse_timeline(
        {
            "format": {"quality": "preview"},
            "video": [
                {
                    "kind": "photo",
                    "source": "grey.png",
                    "duration_ms": 1000,
                    "kenburns": {"motion": "none"},
                }
            ],  # fmt: skip
            "texts": texts,
        }
    )


@pytest.mark.parametrize(
    "text",
    ["Hello world", "50% off %{pts}", "x';drawtext=textfile=/etc/hostname:text='", "100%"],
)
def test_text_is_drawn_literally_where_asked(tmp_path: Path, text: str) -> None:
    media = {"grey.png": _flat(tmp_path / "grey.png", 128)}
    plain, _ = render(compile_video_plan(_text_timeline(None), media, OPTIONS, None), tmp_path,
                      "plain.mp4")  # fmt: skip
    plan = compile_video_plan(_text_timeline(text), media, OPTIONS, None)
    drawn, log = render(plan, tmp_path, "text.mp4")
    assert "Stray %" not in log and "Unterminated" not in log
    block = layout_text(text, font=Font.SANS_BOLD, size_px=round(0.08 * 360),
                        area=safe_area(640, 360), anchor=Anchor.TOP, centre_x=320, offset_y=0,
                        box=True)  # fmt: skip
    diff = np.abs(luma_frames(drawn)[10] - luma_frames(plain)[10])
    left, top = block.x - block.padding, block.y - block.padding
    right, bottom = block.x + block.width + block.padding, block.y + block.height + block.padding
    inside = diff[top:bottom, left:right]
    outside = diff.copy()
    outside[max(top - 3, 0) : bottom + 3, max(left - 3, 0) : right + 3] = 0
    assert inside.mean() > 20  # the box and the glyphs are there...
    assert outside.max() < 8  # ...and nowhere else
    # The literal text's measured width is the drawn box's width: %{pts} was not expanded.
    box_columns = np.where(diff[top + 1] > 20)[0]
    assert abs((box_columns.max() - box_columns.min() + 1) - (right - left)) <= 3


def test_music_is_ducked_under_the_voice(tmp_path: Path) -> None:
    media = {
        "p.png": _flat(tmp_path / "p.png", 90),
        "voice.wav": write_tone(tmp_path / "voice.wav", 1000, 1.0, amplitude=0.5),
        "music.wav": write_tone(tmp_path / "music.wav", 200, 4.0, amplitude=0.3),
    }

    def mix(duck: bool) -> np.ndarray:
        timeline = parse_timeline({
            "video": [{"kind": "photo", "source": "p.png", "duration_ms": 3000}],
            "voice": {"source": "voice.wav", "offset_ms": 1000},
            "music": {"source": "music.wav", "fade_in_ms": 0, "fade_out_ms": 0,
                      "duck": {"enabled": duck}, "volume": 1.0},
        })  # fmt: skip
        out, _ = render(compile_audio_plan(timeline, media, OPTIONS), tmp_path, f"m{duck}.wav")
        samples = _audio_samples(out)
        assert samples.shape == (2, 3 * 48000)
        return samples[0]

    def music_level(signal: np.ndarray, start_s: float, end_s: float) -> float:
        seg = signal[int(start_s * 48000) : int(end_s * 48000)]
        t = np.arange(len(seg)) / 48000
        return float(np.hypot(seg @ np.sin(2 * np.pi * 200 * t), seg @ np.cos(2 * np.pi * 200 * t)))

    ducked, flat = mix(True), mix(False)
    under_voice = music_level(ducked, 1.3, 1.9)
    assert under_voice < 0.5 * music_level(flat, 1.3, 1.9)
    assert music_level(ducked, 0.2, 0.8) == pytest.approx(music_level(flat, 0.2, 0.8), rel=0.05)
    assert music_level(ducked, 2.6, 2.95) > 2 * under_voice  # released after the voice


def test_a_segment_equals_the_same_frames_of_the_single_pass(tmp_path: Path) -> None:
    media = {
        f"p{i}.jpg": gradient_photo(tmp_path / f"p{i}.jpg", 900, 600, seed=i) for i in range(3)
    }
    timeline = parse_timeline({
        "format": {"quality": "preview"},
        "video": [
            {"kind": "photo", "source": "p0.jpg", "duration_ms": 1000,
             "transition": {"type": "circleopen", "duration_ms": 400}},
            {"kind": "photo", "source": "p1.jpg", "duration_ms": 1000, "fit": "crop",
             "kenburns": {"motion": "pan_up"}, "transition": {"type": "fade", "duration_ms": 300}},
            {"kind": "photo", "source": "p2.jpg", "duration_ms": 1000},
        ],
        "texts": [{"text": "Across the seam", "start_ms": 500, "end_ms": 2000}],
    })  # fmt: skip
    whole, _ = render(compile_video_plan(timeline, media, OPTIONS, None), tmp_path, "whole.mp4")
    reference = luma_frames(whole)
    assert len(reference) == 69
    for first, last in [(0, 25), (25, 52), (52, 69)]:  # cuts inside both transitions
        plan = compile_video_plan(timeline, media, OPTIONS, None, frame_range=(first, last))
        part, _ = render(plan, tmp_path, f"part{first}.mp4")
        frames = luma_frames(part)
        assert len(frames) == last - first
        mse = ((frames - reference[first:last]) ** 2).mean(axis=(1, 2))
        psnr = 10 * np.log10(255**2 / np.maximum(mse, 1e-9))
        assert psnr.min() > 38, (first, psnr.min())


@pytest.mark.slow
def test_full_1080p_render_is_frame_accurate(tmp_path: Path) -> None:
    media = {
        f"p{i}.jpg": gradient_photo(tmp_path / f"p{i}.jpg", 2400, 1600, seed=i) for i in (0, 1)
    }
    timeline = parse_timeline({
        "format": {"aspect": "16:9", "fps": 25, "quality": "final"},
        "video": [
            {"kind": "photo", "source": "p0.jpg", "duration_ms": 1250,
             "transition": {"type": "fade", "duration_ms": 500}},
            {"kind": "photo", "source": "p1.jpg", "duration_ms": 1000,
             "kenburns": {"motion": "zoom_out"}},
        ],
    })  # fmt: skip
    out, _ = render(compile_video_plan(timeline, media, OPTIONS, None), tmp_path, "hd.mp4")
    facts = video_facts(out)
    assert (facts["width"], facts["height"], facts["frames"]) == (1920, 1080, 44)  # 1.75 s
    with av.open(str(out)) as container:
        assert container.duration is not None
        assert abs(container.duration / 1e6 - 1.76) <= 1 / 25


def test_large_jpeg_is_decoded_at_reduced_size(tmp_path: Path) -> None:
    media = {"big.jpg": gradient_photo(tmp_path / "big.jpg", 3200, 1800, seed=3)}
    timeline = parse_timeline({
        "format": {"quality": "preview"},
        "video": [{"kind": "photo", "source": "big.jpg", "duration_ms": 500, "fit": "crop"}],
    })  # fmt: skip
    plan = compile_video_plan(timeline, media, OPTIONS, None)
    assert plan.inputs[0].options[-2:] == ("-lowres", "1")  # 1600x900 still covers 1440x810
    out, _ = render(plan, tmp_path, "big.mp4")
    frames = luma_frames(out)
    assert frames.shape == (15, 360, 640) and frames.std() > 20
