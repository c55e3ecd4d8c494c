"""What the media library accepts (pure): types, sizes, quota, display names."""

from __future__ import annotations

import pytest

from shared.errors import Conflict, InvalidRequest, PayloadTooLarge
from shared.library.policy import (
    LibraryLimits,
    accepted,
    check_quota,
    check_size,
    display_name,
)
from shared.pipeline.media_item import MediaKindName

LIMITS = LibraryLimits(max_items=3, max_total_bytes=1000, max_image_bytes=500)


def test_accepted_types() -> None:
    assert accepted("Image/JPEG").kind is MediaKindName.IMAGE
    assert accepted("audio/mpeg").extension == "mp3"
    for refused in ("image/gif", "image/svg+xml", "video/mp4", "text/html", ""):
        with pytest.raises(InvalidRequest, match="not accepted"):
            accepted(refused)


def test_sizes() -> None:
    check_size(MediaKindName.IMAGE, 500, LIMITS)
    with pytest.raises(PayloadTooLarge):
        check_size(MediaKindName.IMAGE, 501, LIMITS)
    with pytest.raises(InvalidRequest):
        check_size(MediaKindName.AUDIO, 0, LIMITS)


def test_quota_counts_items_and_bytes() -> None:
    check_quota(items=2, total_bytes=900, size_bytes=100, limits=LIMITS)
    with pytest.raises(Conflict, match="full"):
        check_quota(items=3, total_bytes=0, size_bytes=1, limits=LIMITS)
    with pytest.raises(Conflict, match="bytes"):
        check_quota(items=0, total_bytes=900, size_bytes=101, limits=LIMITS)


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("photo.jpg", "photo.jpg"),
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\me\\shop.png", "shop.png"),
        ("a\x00b\x1bc.jpg", "abc.jpg"),
        ("x" * 400, "x" * 255),
    ],
)
def test_display_name(raw: str, shown: str) -> None:
    assert display_name(raw) == shown


def test_display_name_refuses_nothing_left() -> None:
    with pytest.raises(InvalidRequest, match="filename"):
        display_name("dir/\x00\x01")
