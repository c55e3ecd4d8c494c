"""Where on-screen text goes: each format's safe area, and wrapping or shrinking text to fit it,
measured with the same fonts FFmpeg draws with (each run of a line in its own font)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from PIL import ImageFont

from shared.render.text.fonts import font_path
from shared.render.text.glyph_fallback import Run, runs
from shared.timeline import Anchor, Font

MIN_FONT_PX = 12
SHRINK_STEP = 0.92
BOX_PADDING_EM = 0.25  # the box's border around the text, in font sizes


@dataclass(frozen=True)
class SafeArea:
    left: int
    top: int
    right: int
    bottom: int

    @property
    def width(self) -> int:
        return self.right - self.left

    @property
    def height(self) -> int:
        return self.bottom - self.top


def safe_area(width: int, height: int) -> SafeArea:
    """Title-safe 90 % for landscape and square; portrait (9:16) also keeps clear of the bands
    that phone apps cover with their own UI (status and caption bar at the top, buttons and
    description at the bottom)."""
    if height > width:
        return SafeArea(
            round(width * 0.06), round(height * 0.12), round(width * 0.94), round(height * 0.78)
        )
    return SafeArea(
        round(width * 0.05), round(height * 0.05), round(width * 0.95), round(height * 0.95)
    )


@lru_cache(maxsize=256)
def _face(path: str, size_px: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, size_px)


def run_offsets(line: str, font: Font, size_px: int) -> tuple[tuple[Run, float], ...]:
    """Each run of ``line`` and where it starts, in pixels from the line's left edge."""
    placed, x = [], 0.0
    for run in runs(line, font):
        placed.append((run, x))
        x += float(_face(run.font_file, size_px).getlength(run.text))
    return tuple(placed)


def text_width(text: str, font: Font, size_px: int) -> float:
    return sum(float(_face(r.font_file, size_px).getlength(r.text)) for r in runs(text, font))


def ascent(font: Font, size_px: int) -> int:
    """The face's ascent: from a line's top to its baseline."""
    return int(_face(font_path(font), size_px).getmetrics()[0])


def line_height(font: Font, size_px: int) -> int:
    up, down = _face(font_path(font), size_px).getmetrics()
    return int(up + down)


def _wrap_words(text: str, font: Font, size_px: int, max_width: float) -> list[str] | None:
    """Greedy word wrap keeping explicit line breaks; None if a single word is too wide."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for word in paragraph.split():
            if text_width(word, font, size_px) > max_width:
                return None
            candidate = f"{line} {word}" if line else word
            if text_width(candidate, font, size_px) <= max_width:
                line = candidate
            else:
                lines.append(line)
                line = word
        lines.append(line)
    return lines


def _wrap_chars(text: str, font: Font, size_px: int, max_width: float) -> list[str]:
    """Last resort for a word wider than the frame at the smallest size: break inside it."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for ch in " ".join(paragraph.split()):
            if line and text_width(line + ch, font, size_px) > max_width:
                lines.append(line.rstrip())
                line = ch.lstrip()
            else:
                line += ch
        lines.append(line)
    return lines


@dataclass(frozen=True)
class TextBlock:
    """Wrapped text and its box, in output pixels (x, y: the text's top-left corner)."""

    text: str
    font: Font
    font_size: int
    x: int
    y: int
    width: int
    height: int
    padding: int

    @property
    def lines(self) -> tuple[str, ...]:
        return tuple(self.text.split("\n"))


def _fit(
    text: str, font: Font, size_px: int, area: SafeArea, box: bool
) -> tuple[list[str], int, int]:
    size = size_px
    while True:
        pad = round(size * BOX_PADDING_EM) if box else 0
        max_width = area.width - 2 * pad
        lines = _wrap_words(text, font, size, max_width)
        smallest = size <= MIN_FONT_PX
        if lines is None and smallest:
            lines = _wrap_chars(text, font, size, max_width)
        if lines is not None and (
            len(lines) * line_height(font, size) + 2 * pad <= area.height or smallest
        ):
            return lines, size, pad
        size = max(MIN_FONT_PX, int(size * SHRINK_STEP))


def layout_text(
    text: str,
    *,
    font: Font,
    size_px: int,
    area: SafeArea,
    anchor: Anchor,
    centre_x: float,
    offset_y: float,
    box: bool,
) -> TextBlock:
    """Place ``text`` (wrapped, shrunk if need be) inside ``area``.

    ``centre_x`` is the wanted horizontal centre in pixels; ``offset_y`` shifts the block from
    its anchor (pixels, down is positive); the result is moved back inside the area if needed.
    """
    lines, size, pad = _fit(text, font, size_px, area, box)
    width = max(round(text_width(line, font, size)) for line in lines)
    height = len(lines) * line_height(font, size)
    outer_w, outer_h = width + 2 * pad, height + 2 * pad
    if anchor is Anchor.TOP:
        top = area.top + offset_y
    elif anchor is Anchor.BOTTOM:
        top = area.bottom - outer_h + offset_y
    else:
        top = (area.top + area.bottom - outer_h) / 2 + offset_y
    left = centre_x - outer_w / 2
    left = min(max(left, area.left), area.right - outer_w)
    top = min(max(top, area.top), area.bottom - outer_h)
    return TextBlock(
        "\n".join(lines), font, size, round(left) + pad, round(top) + pad, width, height, pad
    )
