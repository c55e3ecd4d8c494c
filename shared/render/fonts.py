"""The fonts the project ships (DejaVu, see fonts/LICENSE.txt), by timeline ``Font``."""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path

from shared.timeline import Font

_FILES: dict[Font, str] = {
    Font.SANS: "DejaVuSans.ttf",
    Font.SANS_BOLD: "DejaVuSans-Bold.ttf",
    Font.SERIF: "DejaVuSerif.ttf",
    Font.SERIF_BOLD: "DejaVuSerif-Bold.ttf",
    Font.MONO: "DejaVuSansMono.ttf",
}


@cache
def font_path(font: Font) -> str:
    """Absolute path of the packaged font file (never a host font lookup)."""
    path = Path(str(resources.files("shared.render") / "fonts" / _FILES[font]))
    if not path.is_file():
        raise FileNotFoundError(f"the shipped font {_FILES[font]} is missing from {path.parent}")
    return path.as_posix()
