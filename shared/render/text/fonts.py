"""The fonts texts are drawn with, by timeline ``Font``: the shipped DejaVu face (see
fonts/LICENSE.txt), then fallback fonts for what DejaVu lacks, from Debian's packages."""

from __future__ import annotations

import logging
from functools import cache
from importlib import resources
from pathlib import Path

from shared.settings import FALLBACK_FONT_DIR
from shared.timeline import Font

logger = logging.getLogger(__name__)

_FILES: dict[Font, str] = {
    Font.SANS: "DejaVuSans.ttf",
    Font.SANS_BOLD: "DejaVuSans-Bold.ttf",
    Font.SERIF: "DejaVuSerif.ttf",
    Font.SERIF_BOLD: "DejaVuSerif-Bold.ttf",
    Font.MONO: "DejaVuSansMono.ttf",
}

# Under FALLBACK_FONT_DIR. CJK from fonts-noto-cjk (a collection: its first face, Japanese
# forms, is the one FreeType and FFmpeg open); emoji from fonts-symbola, an outline font:
# FFmpeg's drawtext cannot draw colour (bitmap) glyphs such as Noto Color Emoji's.
_EMOJI = "truetype/ancient-scripts/Symbola_hint.ttf"
_FALLBACKS: dict[Font, tuple[str, ...]] = {
    Font.SANS: ("opentype/noto/NotoSansCJK-Regular.ttc", _EMOJI),
    Font.SANS_BOLD: ("opentype/noto/NotoSansCJK-Bold.ttc", _EMOJI),
    Font.SERIF: ("opentype/noto/NotoSerifCJK-Regular.ttc", _EMOJI),
    Font.SERIF_BOLD: ("opentype/noto/NotoSerifCJK-Bold.ttc", _EMOJI),
    Font.MONO: ("opentype/noto/NotoSansCJK-Regular.ttc", _EMOJI),
}


@cache
def font_path(font: Font) -> str:
    """Absolute path of the packaged font file (never a host font lookup)."""
    path = Path(str(resources.files("shared.render.text") / "fonts" / _FILES[font]))
    if not path.is_file():
        raise FileNotFoundError(f"the shipped font {_FILES[font]} is missing from {path.parent}")
    return path.as_posix()


@cache
def font_chain(font: Font) -> tuple[str, ...]:
    """The face, then its fallback fonts installed here, in the order a character is looked
    up in them: the first that has it draws it."""
    chain = [font_path(font)]
    for name in _FALLBACKS[font]:
        path = FALLBACK_FONT_DIR / name
        if path.is_file():
            chain.append(path.as_posix())
        else:
            logger.warning("fallback font missing", extra={"font": font.value, "path": str(path)})
    return tuple(chain)
