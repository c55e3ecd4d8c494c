"""The browser preview draws what the renderer renders: the same frame timing, Ken Burns path,
easing, cover maths and transitions. A frame from each, for the same draft, are compared."""

from __future__ import annotations

import base64
import io
from pathlib import Path
from typing import Any

import av
import numpy as np
import pytest
from playwright.sync_api import Page

from examples.make_media import draw_photo
from shared.render.media.media_resolver import MediaResolver
from shared.render.service import render_timeline
from shared.timeline import parse_timeline

pytestmark = [pytest.mark.browser, pytest.mark.emulator, pytest.mark.ffmpeg]

SIZE = (640, 360)  # the preview quality's frame for 16:9
FPS = 30


def _timeline() -> dict[str, Any]:
    return {
        "schema_version": 1,
        "name": "parity",
        "format": {"aspect": "16:9", "fps": FPS, "quality": "preview"},
        "video": [
            {"kind": "photo", "source": "a.jpg", "duration_ms": 3000, "fit": "crop",
             "kenburns": {"motion": "zoom_in", "focus_x": 0.3, "focus_y": 0.4, "strength": 1.0,
                          "easing": "ease_in_out"},
             "transition": {"type": "fade", "duration_ms": 1000}},
            {"kind": "photo", "source": "b.jpg", "duration_ms": 3000, "fit": "blur",
             "kenburns": {"motion": "pan_right", "strength": 0.8, "easing": "linear"}},
        ],
    }  # fmt: skip


def _psnr(a: np.ndarray, b: np.ndarray) -> float:
    mse = float(np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2))
    return 99.0 if mse == 0 else 10 * np.log10(255.0**2 / mse)


def _luma(rgb: np.ndarray) -> np.ndarray:
    return rgb[..., 0] * 0.299 + rgb[..., 1] * 0.587 + rgb[..., 2] * 0.114


def _rendered_frames(path: Path) -> list[np.ndarray]:
    with av.open(str(path)) as container:
        return [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]


def _browser_frame(page: Page, timeline: dict[str, Any], media: dict[str, Any], frame: int) -> Any:
    pixels = page.evaluate(
        """async ([timeline, media, frame, w, h]) => {
            const data = await window.createStudio.renderFrame(timeline, media, frame, w, h);
            let text = "";
            for (let i = 0; i < data.length; i += 8192) {
                text += String.fromCharCode(...data.subarray(i, i + 8192));
            }
            return btoa(text);
        }""",
        [timeline, media, frame, *SIZE],
    )
    rgba = np.frombuffer(base64.b64decode(pixels), np.uint8).reshape(SIZE[1], SIZE[0], 4)
    return rgba[..., :3]


def test_a_preview_frame_matches_the_rendered_frame(
    page: Page, editor_url: str, tmp_path: Path
) -> None:
    photos = {"a.jpg": draw_photo(3, 1600, 1200), "b.jpg": draw_photo(5, 1200, 1600)}
    urls = {}
    for name, photo in photos.items():
        photo.save(tmp_path / name, quality=95)
        buffer = io.BytesIO()
        photo.save(buffer, "JPEG", quality=95)
        urls[name] = {
            "preview_url": "data:image/jpeg;base64," + base64.b64encode(buffer.getvalue()).decode()
        }
    document = _timeline()
    out = tmp_path / "parity.mp4"
    render_timeline(parse_timeline(document), MediaResolver(tmp_path), out, work_dir=tmp_path / "w")
    rendered = _rendered_frames(out)

    page.goto("/")
    page.wait_for_function("() => window.createStudio && window.createStudio.renderFrame")
    # Mid zoom, mid fade, late pan: motion, blend and the second clip's fit all count.
    for frame in (40, 75, 130):
        ours = _browser_frame(page, document, urls, frame)
        score = _psnr(_luma(ours), _luma(rendered[frame]))
        # The same picture a few frames off (the motion half a second away) scores far lower:
        # the comparison sees timing and motion, not only the photo.
        off = _psnr(_luma(ours), _luma(rendered[min(frame + 15, len(rendered) - 1)]))
        print(f"frame {frame}: {score:.1f} dB, {off:.1f} dB 15 frames off")
        assert score >= 33.0, f"frame {frame}: preview vs render PSNR {score:.1f} dB"
        assert score - off >= 4.0, f"frame {frame}: {score:.1f} dB, {off:.1f} dB 15 frames off"
