"""What the library accepts (pure): media types, sizes, quota and display names.

The declared content type decides the kind and the formats the bytes must turn out to be; the
object name is ours (``library/{uid}/{media_id}.{ext}``), never the user's file name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from shared.errors import Conflict, InvalidRequest, PayloadTooLarge
from shared.pipeline.media_item import MediaKindName


@dataclass(frozen=True)
class Accepted:
    kind: MediaKindName
    extension: str
    formats: frozenset[str]  # Pillow formats (images) or sniffed containers (audio)


ACCEPTED: dict[str, Accepted] = {
    "image/jpeg": Accepted(MediaKindName.IMAGE, "jpg", frozenset({"JPEG"})),
    "image/png": Accepted(MediaKindName.IMAGE, "png", frozenset({"PNG"})),
    "image/webp": Accepted(MediaKindName.IMAGE, "webp", frozenset({"WEBP"})),
    "image/heic": Accepted(MediaKindName.IMAGE, "heic", frozenset({"HEIF"})),
    "image/heif": Accepted(MediaKindName.IMAGE, "heif", frozenset({"HEIF"})),
    "audio/mpeg": Accepted(MediaKindName.AUDIO, "mp3", frozenset({"mp3"})),
    "audio/wav": Accepted(MediaKindName.AUDIO, "wav", frozenset({"wav"})),
    "audio/x-wav": Accepted(MediaKindName.AUDIO, "wav", frozenset({"wav"})),
    "audio/mp4": Accepted(MediaKindName.AUDIO, "m4a", frozenset({"mov", "aac"})),
    "audio/aac": Accepted(MediaKindName.AUDIO, "aac", frozenset({"aac", "mov"})),
    "audio/ogg": Accepted(MediaKindName.AUDIO, "ogg", frozenset({"ogg"})),
    "audio/flac": Accepted(MediaKindName.AUDIO, "flac", frozenset({"flac"})),
}

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True)
class LibraryLimits:
    max_image_bytes: int = 30 * 1024 * 1024
    max_audio_bytes: int = 50 * 1024 * 1024
    max_items: int = 500
    max_total_bytes: int = 5 * 1024**3
    max_image_pixels: int = 50_000_000
    stored_image_edge: int = 4096  # photos are stored re-encoded, at most this on the long edge
    pending_ttl_s: int = 3600  # an upload not registered within this is abandoned


def accepted(content_type: str) -> Accepted:
    found = ACCEPTED.get(content_type.strip().lower())
    if found is None:
        allowed = ", ".join(sorted(ACCEPTED))
        raise InvalidRequest(f"content_type {content_type[:100]!r} is not accepted ({allowed})")
    return found


def check_size(kind: MediaKindName, size_bytes: int, limits: LibraryLimits) -> None:
    if size_bytes <= 0:
        raise InvalidRequest(f"size_bytes must be positive, not {size_bytes}")
    cap = limits.max_image_bytes if kind is MediaKindName.IMAGE else limits.max_audio_bytes
    if size_bytes > cap:
        raise PayloadTooLarge(f"a {kind.value} file may have at most {cap} bytes, not {size_bytes}")


def check_quota(items: int, total_bytes: int, size_bytes: int, limits: LibraryLimits) -> None:
    if items >= limits.max_items:
        raise Conflict(f"the library is full ({limits.max_items} files); delete some first")
    if total_bytes + size_bytes > limits.max_total_bytes:
        raise Conflict(
            f"the library would hold more than {limits.max_total_bytes} bytes; delete some first"
        )


def display_name(filename: str) -> str:
    """The file name as shown in the library: no path, no control characters, 255 at most."""
    name = _CONTROL.sub("", filename).replace("\\", "/").rsplit("/", 1)[-1].strip()
    if not name:
        raise InvalidRequest("filename is empty")
    return name[:255]


def object_name(uid: str, media_id: str, extension: str) -> str:
    return f"library/{uid}/{media_id}.{extension}"
