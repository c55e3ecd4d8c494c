"""Which media a timeline submitted over HTTP may use: only the caller's own ready library items.

Relative file paths are for the CLI (they name files on the caller's machine) and gs:// URIs
would let a caller point the renderer at any object our service account can read; over HTTP
every source must be ``media:<id>`` of a ready item of the right kind owned by the caller.
"""

from __future__ import annotations

from shared.adapters.firestore_media import FirestoreMediaLibrary
from shared.errors import InvalidRequest, NotFound
from shared.pipeline.media_item import MediaKindName, MediaStatus
from shared.timeline.model import PhotoClip, Timeline

_PREFIX = "media:"


def timeline_sources(timeline: Timeline) -> list[tuple[str, str, MediaKindName]]:
    """(field path, source, kind it must be) for every media reference in the timeline."""
    found: list[tuple[str, str, MediaKindName]] = []
    for i, clip in enumerate(timeline.video):
        kind = MediaKindName.IMAGE if isinstance(clip, PhotoClip) else MediaKindName.VIDEO
        found.append((f"video[{i}].source", clip.source, kind))
    if timeline.voice is not None:
        found.append(("voice.source", timeline.voice.source, MediaKindName.AUDIO))
    if timeline.music is not None:
        found.append(("music.source", timeline.music.source, MediaKindName.AUDIO))
    return found


def check_sources(timeline: Timeline, uid: str, media: FirestoreMediaLibrary) -> None:
    """InvalidRequest naming the first source the caller may not use."""
    for where, source, kind in timeline_sources(timeline):
        if not source.startswith(_PREFIX):
            raise InvalidRequest(
                f"{where}: {source[:100]!r} is not allowed over HTTP; upload the file to your "
                "library and use its media:<id>"
            )
        media_id = source.removeprefix(_PREFIX)
        try:
            item = media.get_for_user(media_id, uid)
        except NotFound:
            raise InvalidRequest(f"{where}: {source} is not in your library") from None
        if item.status is not MediaStatus.READY:
            raise InvalidRequest(f"{where}: {source} has not been registered yet")
        if item.kind is not kind:
            raise InvalidRequest(f"{where}: {source} is {item.kind.value}, not {kind.value}")
