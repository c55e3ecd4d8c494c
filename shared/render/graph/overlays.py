"""drawtext filters for text overlays and captions.

User text never enters the graph: each text goes to ``RenderPlan.text_files`` under an
app-chosen name and drawtext reads it with ``textfile=<name>:expansion=none`` (with expansion on,
a ``%`` in the text silently blanks it, and ``%{...}`` would run functions). Times are whole
frames (drawtext's ``n``), so a segment of a segmented render shows exactly the frames the
single pass shows.

A text the face itself draws whole is one drawtext. One that needs fallback fonts (CJK, emoji:
``glyph_fallback``) is one drawtext per run of one font, each with its own text file, placed on
the line's baseline at the run's measured offset, and its box one drawtext sized by the layout.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from shared.render.graph.escape import escape_filter_arg
from shared.render.graph.timing import FrameWindow
from shared.render.text.fonts import font_path
from shared.render.text.glyph_fallback import primary_only
from shared.render.text.text_layout import TextBlock, ascent, line_height, run_offsets, text_width
from shared.timeline import TextStyle

# Bidi embedding/override/isolate controls can reorder what a viewer reads: dropped.
_BIDI_CONTROLS = dict.fromkeys(map(ord, "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"))


def clean_text(text: str) -> str:
    return unicodedata.normalize("NFC", text).translate(_BIDI_CONTROLS)


@dataclass(frozen=True)
class DrawnText:
    """One piece of text on screen: laid out, styled, shown on ``window`` frames."""

    file_name: str
    block: TextBlock
    style: TextStyle
    window: FrameWindow
    fade_in_frames: int = 0
    fade_out_frames: int = 0

    @property
    def files(self) -> dict[str, str]:
        """The text files its drawtext filters read: bare name -> content."""
        placed = _placed_runs(self)
        if placed is None:
            return {self.file_name: self.block.text}
        return {run.file_name: run.text for run in placed}


@dataclass(frozen=True)
class _PlacedRun:
    file_name: str
    text: str
    font_file: str
    x: int
    baseline: int


def _placed_runs(item: DrawnText) -> tuple[_PlacedRun, ...] | None:
    """Each run of each line where it goes; None when the face draws the whole text."""
    block = item.block
    if primary_only(block.text, block.font):
        return None
    stem = item.file_name.removesuffix(".txt")
    size, step = block.font_size, line_height(block.font, block.font_size)
    top = block.y + ascent(block.font, size)
    placed = []
    for i, line in enumerate(block.lines):
        # Centred in the block, as text_align=C centres each line.
        left = block.x + (block.width - text_width(line, block.font, size)) / 2
        for j, (run, x) in enumerate(run_offsets(line, block.font, size)):
            placed.append(
                _PlacedRun(
                    f"{stem}.{i}.{j}.txt", run.text, run.font_file, round(left + x), top + i * step
                )
            )
    return tuple(placed)


def _alpha(item: DrawnText, first: int) -> str | None:
    start, end = item.window.start - first, item.window.end - first
    terms = []
    if item.fade_in_frames:
        terms.append(f"(n-{start}+0.5)/{item.fade_in_frames}")
    if item.fade_out_frames:
        terms.append(f"({end}-n-0.5)/{item.fade_out_frames}")
    if not terms:
        return None
    expr = "1"
    for term in terms:
        expr = f"min({expr},{term})"
    return f"max(0,{expr})"


def _text_options(file_name: str, font_file: str, item: DrawnText, invisible: bool) -> list[str]:
    return [
        f"fontfile={escape_filter_arg(font_file)}",
        f"textfile={escape_filter_arg(file_name)}",
        "expansion=none",
        f"fontsize={item.block.font_size}",
        f"fontcolor=0x{item.style.color[1:]}" + ("@0" if invisible else ""),
    ]


def _box_options(item: DrawnText) -> list[str]:
    return [
        "box=1",
        f"boxcolor=0x{item.style.box_color[1:]}@{item.style.box_opacity:g}",
        f"boxborderw={item.block.padding}",
    ]


def _draw_options(item: DrawnText, layer: str | None = None) -> list[list[str]]:
    """What and where to draw, without timing, one option list per drawtext: shared by the
    graph and by ``text_sprites``. ``layer`` "box" draws only the box (invisible glyphs still
    size it), "text" only the text."""
    style, block = item.style, item.block
    placed = _placed_runs(item)
    if placed is None:
        opts = _text_options(item.file_name, font_path(block.font), item, layer == "box")
        opts += ["text_align=C", "y_align=font", f"x={block.x}", f"y={block.y}"]
        return [opts + (_box_options(item) if style.box and layer != "text" else [])]
    filters = []
    if style.box and layer != "text":
        # One box for the whole block (a box per run would overlap), sized by the layout
        # (boxw/boxh): its text, any run's, is invisible and only there for drawtext to draw.
        box = _text_options(placed[0].file_name, font_path(block.font), item, invisible=True)
        box += ["y_align=font", f"x={block.x}", f"y={block.y}", *_box_options(item)]
        filters.append([*box, f"boxw={block.width}", f"boxh={block.height}"])
    if layer != "box":
        for run in placed:
            opts = _text_options(run.file_name, run.font_file, item, invisible=False)
            filters.append([*opts, "y_align=baseline", f"x={run.x}", f"y={run.baseline}"])
    return filters


def drawtext_filter(item: DrawnText, first_frame: int = 0) -> str:
    """The drawtext filters for ``item`` in a stream whose frame 0 is output frame
    ``first_frame``."""
    start, end = item.window.start - first_frame, item.window.end - first_frame
    timing = []
    alpha = _alpha(item, first_frame)
    if alpha:
        timing.append(f"alpha={escape_filter_arg(alpha)}")
    timing.append(f"enable={escape_filter_arg(f'between(n,{start},{end - 1})')}")
    return ",".join("drawtext=" + ":".join(opts + timing) for opts in _draw_options(item))


def drawtext_on(item: DrawnText, enable: str, layer: str | None = None) -> str:
    """The drawtext filters for ``item`` (or one ``layer`` of it, see ``_draw_options``) at
    full opacity on the frames where ``enable`` holds."""
    timing = [f"enable={escape_filter_arg(enable)}"]
    return ",".join("drawtext=" + ":".join(opts + timing) for opts in _draw_options(item, layer))


def fade_factor(item: DrawnText, frame: int) -> float:
    """The opacity ``item`` is drawn with on output ``frame`` (the graph's ``alpha``)."""
    factor = 1.0
    if item.fade_in_frames:
        factor = min(factor, (frame - item.window.start + 0.5) / item.fade_in_frames)
    if item.fade_out_frames:
        factor = min(factor, (item.window.end - frame - 0.5) / item.fade_out_frames)
    return max(0.0, factor)


def visible(item: DrawnText, first_frame: int, last_frame: int) -> bool:
    """Whether ``item`` shows on any frame of [first_frame, last_frame)."""
    return item.window.start < last_frame and item.window.end > first_frame
