"""A library item as the editor sees it: short-lived signed links, never object names."""

from __future__ import annotations

from typing import Any

from functions.http_util import Call
from functions.storage_links import browser_link
from shared.pipeline.media_item import MediaItem, MediaStatus


def media_json(call: Call, item: MediaItem) -> dict[str, Any]:
    """The item as the editor sees it: short-lived links when ready, no object names."""
    body = item.model_dump(
        mode="json", exclude={"object_name", "thumb_object_name", "preview_object_name"}
    )
    body["source"] = item.source
    if item.status is MediaStatus.READY:
        blobs = call.deps.library.blobs
        for key, name in (
            ("url", item.object_name),
            ("thumb_url", item.thumb_object_name),
            ("preview_url", item.preview_object_name),
        ):
            if name:
                body[key] = browser_link(call, blobs.signed_get_url(name))
    return body
