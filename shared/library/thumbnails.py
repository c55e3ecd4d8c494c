"""Thumbnails of a stored photo: smaller JPEGs for the editor (library grid, timeline, preview).

Made from the stored image, which ingest has already validated, turned upright and stripped of
metadata; Pillow writes no EXIF unless asked, so the copies carry none either.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PIL import Image

THUMB_EDGE = 320
PREVIEW_EDGE = 1280
_QUALITY = 82


@dataclass(frozen=True)
class Thumbnail:
    folder: str  # the object-name prefix: "thumbs" or "previews"
    edge: int  # at most this many pixels on the longest edge (never enlarged)

    def object_name(self, uid: str, media_id: str) -> str:
        return f"{self.folder}/{uid}/{media_id}.jpg"


THUMBNAILS = (Thumbnail("thumbs", THUMB_EDGE), Thumbnail("previews", PREVIEW_EDGE))


def make_thumbnail(stored: Path, edge: int, dest: Path) -> Path:
    """A JPEG of ``stored`` at most ``edge`` px on its longest side, at ``dest``."""
    with Image.open(stored) as image:
        small = image.convert("RGB")
        small.thumbnail((edge, edge), Image.Resampling.LANCZOS)
        small.save(dest, "JPEG", quality=_QUALITY, optimize=True)
    return dest
