"""Captions are burned in at their times: present while their words are spoken, absent otherwise."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image

from shared.pipeline.offline_audio import write_wav
from shared.render.media.media_resolver import MediaResolver
from shared.render.service import render_timeline
from shared.timeline.validate import parse_timeline
from tests.signals import synthetic_speech

pytestmark = pytest.mark.ffmpeg
FPS = 30


def _luma_frames(path: Path) -> list[np.ndarray]:
    with av.open(str(path)) as container:
        return [f.to_ndarray(format="gray") for f in container.decode(video=0)]


def test_captions_appear_with_their_words_and_only_then(tmp_path: Path) -> None:
    Image.new("RGB", (640, 360), (40, 40, 40)).save(tmp_path / "plain.png")
    write_wav(tmp_path / "voice.wav", synthetic_speech(2.2, seed=5))
    timeline = parse_timeline(
        {
            "format": {"aspect": "16:9", "fps": FPS, "quality": "preview"},
            "video": [
                {"kind": "photo", "source": "plain.png", "duration_ms": 3000,
                 "kenburns": {"motion": "none"}},
            ],
            "captions": {"enabled": True, "max_words": 2},
            "voice": {
                "source": "voice.wav",
                "script": "Fresh bread every day",
                "word_timings": [
                    {"word": "Fresh", "start_ms": 400, "end_ms": 600},
                    {"word": "bread", "start_ms": 650, "end_ms": 900},
                    {"word": "every", "start_ms": 1500, "end_ms": 1700},
                    {"word": "day", "start_ms": 1750, "end_ms": 2000},
                ],
            },
        }
    )  # fmt: skip
    out = tmp_path / "captions.mp4"
    render_timeline(timeline, MediaResolver(tmp_path), out, work_dir=tmp_path / "work")
    frames = _luma_frames(out)
    assert len(frames) == 90

    def caption_pixels(ms: int) -> np.ndarray:
        frame = frames[ms * FPS // 1000]
        return frame[frame.shape[0] // 2 :]  # captions sit in the lower half, for muted viewing

    def has_caption(ms: int) -> bool:
        return int((caption_pixels(ms) > 200).sum()) > 50  # white glyphs on the grey photo

    assert not has_caption(200), "no caption before the first word"
    assert has_caption(500) and has_caption(800), "first chunk while 'Fresh bread' is spoken"
    assert has_caption(1600) and has_caption(1900), "second chunk while 'every day' is spoken"
    assert not has_caption(2700), "no caption after the voice ends"
    first, second = caption_pixels(700) > 200, caption_pixels(1800) > 200
    assert (first != second).mean() > 0.002, "the two chunks show different words"
