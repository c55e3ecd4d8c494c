"""drawtext filters for text overlays and captions.

User text never enters the graph: each text goes to ``RenderPlan.text_files`` under an
app-chosen name and drawtext reads it with ``textfile=<name>:expansion=none`` (with expansion on,
a ``%`` in the text silently blanks it, and ``%{...}`` would run functions). Times are whole
frames (drawtext's ``n``), so a segment of a segmented render shows exactly the frames the
single pass shows.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from shared.render.escape import escape_filter_arg
from shared.render.fonts import font_path
from shared.render.text_layout import TextBlock
from shared.render.timing import FrameWindow
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


def _draw_options(item: DrawnText, layer: str | None = None) -> list[str]:
    """What and where to draw, without timing: shared by the graph and by ``text_sprites``.
    ``layer`` "box" draws only the box (invisible glyphs still size it), "text" only the text."""
    style, block = item.style, item.block
    opts = [
        f"fontfile={escape_filter_arg(font_path(block.font))}",
        f"textfile={escape_filter_arg(item.file_name)}",
        "expansion=none",
        f"fontsize={block.font_size}",
        f"fontcolor=0x{style.color[1:]}" + ("@0" if layer == "box" else ""),
        "text_align=C",
        "y_align=font",
        f"x={block.x}",
        f"y={block.y}",
    ]
    if style.box and layer != "text":
        opts += [
            "box=1",
            f"boxcolor=0x{style.box_color[1:]}@{style.box_opacity:g}",
            f"boxborderw={block.padding}",
        ]
    return opts


def drawtext_filter(item: DrawnText, first_frame: int = 0) -> str:
    """The drawtext filter for ``item`` in a stream whose frame 0 is output frame
    ``first_frame``."""
    start, end = item.window.start - first_frame, item.window.end - first_frame
    opts = _draw_options(item)
    alpha = _alpha(item, first_frame)
    if alpha:
        opts.append(f"alpha={escape_filter_arg(alpha)}")
    opts.append(f"enable={escape_filter_arg(f'between(n,{start},{end - 1})')}")
    return "drawtext=" + ":".join(opts)


def drawtext_on(item: DrawnText, enable: str, layer: str | None = None) -> str:
    """The drawtext filter for ``item`` (or one ``layer`` of it, see ``_draw_options``) at full
    opacity on the frames where ``enable`` holds."""
    opts = _draw_options(item, layer)
    return "drawtext=" + ":".join([*opts, f"enable={escape_filter_arg(enable)}"])


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
