"""Text layout: inside each format's safe area, wrapped or shrunk to fit, measured with the font."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.render.text.text_layout import (
    MIN_FONT_PX,
    SafeArea,
    TextBlock,
    layout_text,
    line_height,
    safe_area,
    text_width,
)
from shared.timeline import Anchor, Font

SIZES = [(1920, 1080), (1080, 1920), (1080, 1080), (640, 360)]


def _outer(block: TextBlock) -> tuple[float, float, float, float]:
    return (
        block.x - block.padding,
        block.y - block.padding,
        block.x + block.width + block.padding,
        block.y + block.height + block.padding,
    )


def _inside(block: TextBlock, area: SafeArea) -> bool:
    left, top, right, bottom = _outer(block)
    return left >= area.left and top >= area.top and right <= area.right and bottom <= area.bottom


def test_safe_areas() -> None:
    assert safe_area(1920, 1080) == SafeArea(96, 54, 1824, 1026)  # title-safe 90 %
    portrait = safe_area(1080, 1920)
    assert portrait.top >= 0.1 * 1920 and portrait.bottom <= 0.8 * 1920  # clear of app UI bands


def test_short_title_keeps_its_size_and_centre() -> None:
    area = safe_area(1920, 1080)
    block = layout_text(
        "NORDIC ROAST",
        font=Font.SANS_BOLD,
        size_px=120,
        area=area,
        anchor=Anchor.TOP,
        centre_x=960,
        offset_y=0,
        box=True,
    )
    assert block.font_size == 120 and block.lines == ("NORDIC ROAST",)
    assert abs(block.x + block.width / 2 - 960) <= 1
    assert block.y - block.padding == area.top
    assert block.width == round(text_width("NORDIC ROAST", Font.SANS_BOLD, 120))


def test_long_text_wraps_at_words_inside_the_area() -> None:
    area = safe_area(1080, 1920)
    text = "Fresh coffee roasted every morning in small batches, delivered to your door"
    block = layout_text(
        text,
        font=Font.SERIF,
        size_px=90,
        area=area,
        anchor=Anchor.BOTTOM,
        centre_x=540,
        offset_y=0,
        box=True,
    )
    assert len(block.lines) > 1
    assert " ".join(block.lines) == text
    assert _inside(block, area)
    assert block.height == len(block.lines) * line_height(Font.SERIF, block.font_size)


def test_a_word_wider_than_the_frame_shrinks_the_text() -> None:
    area = safe_area(1080, 1080)
    block = layout_text(
        "Supercalifragilisticexpialidocious",
        font=Font.SANS_BOLD,
        size_px=150,
        area=area,
        anchor=Anchor.CENTER,
        centre_x=540,
        offset_y=0,
        box=True,
    )
    assert block.font_size < 150 and block.lines == ("Supercalifragilisticexpialidocious",)
    assert _inside(block, area)


def test_text_that_cannot_fit_even_at_the_smallest_size_is_broken_inside_words() -> None:
    area = SafeArea(0, 0, 200, 400)
    block = layout_text(
        "W" * 60,
        font=Font.MONO,
        size_px=60,
        area=area,
        anchor=Anchor.TOP,
        centre_x=100,
        offset_y=0,
        box=False,
    )
    assert block.font_size == MIN_FONT_PX
    assert "".join(block.lines) == "W" * 60
    assert all(text_width(line, Font.MONO, MIN_FONT_PX) <= 200 for line in block.lines)


def test_position_asked_outside_the_area_is_moved_back_in() -> None:
    area = safe_area(1920, 1080)
    block = layout_text(
        "Call now",
        font=Font.SANS,
        size_px=80,
        area=area,
        anchor=Anchor.BOTTOM,
        centre_x=0,
        offset_y=500,
        box=True,
    )
    assert _inside(block, area)
    left, _, _, bottom = _outer(block)
    assert left == area.left and bottom == area.bottom


@settings(max_examples=60, deadline=None)
@given(
    text=st.text(
        alphabet=st.characters(codec="utf-8", categories=("L", "N", "P", "Zs")),
        min_size=1,
        max_size=120,
    ).filter(str.strip),
    size=st.sampled_from(SIZES),
    font=st.sampled_from(list(Font)),
    rel_size=st.floats(0.02, 0.25),
    anchor=st.sampled_from(list(Anchor)),
    x=st.floats(0, 1),
    dy=st.floats(-0.5, 0.5),
    box=st.booleans(),
)
def test_never_outside_the_safe_area(
    text: str,
    size: tuple[int, int],
    font: Font,
    rel_size: float,
    anchor: Anchor,
    x: float,
    dy: float,
    box: bool,
) -> None:
    width, height = size
    area = safe_area(width, height)
    block = layout_text(
        text,
        font=font,
        size_px=round(rel_size * height),
        area=area,
        anchor=anchor,
        centre_x=x * width,
        offset_y=dy * height,
        box=box,
    )
    assert _inside(block, area)
    assert "".join(block.text.split()) == "".join(text.split())


@pytest.mark.parametrize("font", list(Font))
def test_every_shipped_font_measures_text(font: Font) -> None:
    assert 0 < text_width("Hello", font, 40) < text_width("Hello world", font, 40)
