"""Characters the shipped DejaVu fonts lack (CJK, emoji) are drawn with the first fallback font
that has them, not as empty boxes; a character no font has is named in a warning on the job."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from examples.make_media import draw_photo
from shared.render.graph.compiler import _texts, compile_video_plan, output_size
from shared.render.graph.overlays import DrawnText, drawtext_filter
from shared.render.graph.plan import MediaInfo, MediaKind
from shared.render.media.media_resolver import MediaResolver
from shared.render.service import render_timeline
from shared.render.text.fonts import font_chain, font_path
from shared.render.text.glyph_fallback import missing_glyph_warnings, runs
from shared.render.text.text_sprites import Sprite, draw_sprites
from shared.timeline import Font, Timeline, parse_timeline
from tests.render.compiler_fixtures import FIXTURE_MEDIA, OPTIONS
from tests.render.test_pipelined import FFMPEG

PRIVATE_USE = "\ue000"  # no font has it: drawn as a box whatever the fonts
SHOWN = {"start_ms": 0, "fade_in_ms": 0, "fade_out_ms": 0}  # fully shown from frame 0


def _timeline(*texts: str, box: bool = False) -> Timeline:
    style = {"box": box, "size": 0.12}
    return parse_timeline(
        {
            "format": {"aspect": "16:9", "fps": 30, "quality": "preview"},
            "video": [{"kind": "photo", "source": "photos/cup.jpg", "duration_ms": 1000}],
            "texts": [{"text": t, "end_ms": 1000, "style": style, **SHOWN} for t in texts],
        }
    )


def _laid_out(timeline: Timeline) -> list[DrawnText]:
    media = {"photos/cup.jpg": MediaInfo("/m/cup.jpg", MediaKind.IMAGE, width=640, height=360)}
    return _texts(timeline, media, output_size(timeline.format))


def _sprites(items: list[DrawnText], folder: Path) -> dict[str, Sprite]:
    for item in items:
        for name, body in item.files.items():
            (folder / name).write_text(body, encoding="utf-8")
    return draw_sprites(items, (640, 360), folder, FFMPEG)


def _ink(sprite: Sprite) -> np.ndarray:
    """The text layer's luma opacity, cut to what is drawn."""
    return sprite.layers[-1].opacity[0]


def _same(a: np.ndarray, b: np.ndarray) -> bool:
    return a.shape == b.shape and bool(np.abs(a - b).mean() < 0.02)


def test_a_line_is_cut_into_runs_of_the_first_font_that_has_them() -> None:
    dejavu, cjk, emoji = font_chain(Font.SANS)
    assert dejavu == font_path(Font.SANS)
    assert "NotoSansCJK" in cjk and "Symbola" in emoji
    assert [(r.text, r.font_file) for r in runs("Café 東京 🍕", Font.SANS)] == [
        ("Café ", dejavu),
        ("東京 ", cjk),
        ("🍕", emoji),
    ]


@pytest.mark.ffmpeg
def test_cjk_and_emoji_are_drawn_not_as_empty_boxes(tmp_path: Path) -> None:
    """An empty box looks the same for every character: real glyphs differ from each other and
    from the box that a character no font has is drawn as."""
    items = _laid_out(_timeline("東", "京", "🍕", "🍔", PRIVATE_USE, "Café 東京 🍕"))
    ink = [_ink(s) for s in (_sprites(items, tmp_path)[i.file_name] for i in items)]
    east, capital, pizza, burger, box, mixed = ink
    for glyph in (east, capital, pizza, burger):
        assert not _same(glyph, box)
    assert not _same(east, capital) and not _same(pizza, burger)
    assert mixed.shape[1] > 3 * east.shape[1]  # the whole line is there, side by side


@pytest.mark.ffmpeg
def test_the_graph_draws_a_boxed_fallback_text_as_its_sprite_does(tmp_path: Path) -> None:
    """The runs and their one box, by the graph's filters over a frame, give the sprite's
    pixels composited by us: both paths draw a mixed line alike."""
    (item,) = _laid_out(_timeline("Café 東京 🍕", box=True))
    sprite = _sprites([item], tmp_path)[item.file_name]
    assert len(sprite.layers) == 2  # the box, then the runs
    argv = [FFMPEG, "-v", "error", "-f", "lavfi", "-i", "color=c=0x336699:s=640x360:d=1"]
    argv += ["-vf", f"format=yuv420p,{drawtext_filter(item)}", "-frames:v", "1"]
    argv += ["-f", "rawvideo", "-pix_fmt", "yuv420p", "-"]
    plain = subprocess.run(
        [*argv[:7], "-vf", "format=yuv420p", *argv[9:]], capture_output=True, check=True
    ).stdout
    drawn = subprocess.run(argv, cwd=tmp_path, capture_output=True, check=True).stdout
    frame = np.frombuffer(plain, np.uint8).copy()
    luma, chroma = 640 * 360, 640 * 360 // 4
    planes = [
        frame[:luma].reshape(360, 640),
        frame[luma : luma + chroma].reshape(180, 320),
        frame[luma + chroma :].reshape(180, 320),
    ]
    sprite.draw(planes, 1.0)
    expected = np.frombuffer(drawn, np.uint8)
    assert np.count_nonzero(expected != np.frombuffer(plain, np.uint8)) > 2000  # drawn
    diff = np.abs(frame.astype(int) - expected.astype(int))
    assert diff[:luma].max() <= 3 and diff.mean() < 0.05, (diff[:luma].max(), diff.mean())


def test_every_text_file_the_graph_reads_is_in_the_plan() -> None:
    timeline = _timeline("Café 東京 🍕", "plain", box=True)
    plan = compile_video_plan(timeline, FIXTURE_MEDIA, OPTIONS, None)
    named = re.findall(r"textfile=([^:]+)", plan.filter_graph)
    assert set(named) == set(plan.text_files)
    assert "text_00.txt" not in plan.text_files and plan.text_files["text_01.txt"] == "plain"
    assert "".join(plan.text_files[f"text_00.0.{j}.txt"] for j in range(3)) == "Café 東京 🍕"


def test_characters_no_font_has_are_named_and_others_are_not() -> None:
    assert missing_glyph_warnings(_timeline("Café 東京 🍕", "Hi ❤️")) == []
    doc: dict[str, Any] = {
        "video": [{"kind": "photo", "source": "a.jpg", "duration_ms": 1000}],
        "texts": [{"text": f"Menu {PRIVATE_USE}", "start_ms": 0, "end_ms": 1000}],
        "captions": {"enabled": True},
        "voice": {"source": "voice.wav", "script": "Fresh \U0010fffd bread"},
    }
    assert missing_glyph_warnings(parse_timeline(doc)) == [
        "texts[0]: no font here has U+E000; it shows as an empty box",
        "captions: no font here has U+10FFFD; it shows as an empty box",
    ]


@pytest.mark.ffmpeg
def test_a_render_warns_on_the_job_about_a_character_no_font_has(tmp_path: Path) -> None:
    draw_photo(21, 320, 180).save(tmp_path / "a.jpg", "JPEG", quality=90)
    timeline = parse_timeline(
        {
            "format": {"aspect": "16:9", "fps": 30, "quality": "preview"},
            "video": [{"kind": "photo", "source": "a.jpg", "duration_ms": 500}],
            "texts": [{"text": f"東京 🍕 {PRIVATE_USE}", "end_ms": 500, **SHOWN}],
        }
    )
    result = render_timeline(
        timeline, MediaResolver(tmp_path), tmp_path / "out" / "ad.mp4", work_dir=tmp_path / "w"
    )
    assert result.frame_count == 15
    assert [w for w in result.warnings if "U+E000" in w] == [
        "texts[0]: no font here has U+E000; it shows as an empty box"
    ]
