"""Text overlays shown while a caption is on screen are kept clear of the caption band."""

from __future__ import annotations

from typing import Any

from shared.render.graph.compiler import _texts
from shared.render.text.text_layout import TextBlock
from shared.timeline import parse_timeline
from tests.render.compiler_fixtures import FIXTURE_MEDIA

SIZE = (1080, 1920)  # 9:16: the caption band sits high above the phone's bottom UI


def _timeline(text_start_ms: int, text_end_ms: int, anchor: str) -> Any:
    return parse_timeline(
        {
            "format": {"aspect": "9:16"},
            "video": [{"kind": "photo", "source": "photos/shop.jpg", "duration_ms": 6000}],
            "texts": [
                {"role": "title", "text": "Harbor Bakery and Coffee House", "anchor": anchor,
                 "start_ms": text_start_ms, "end_ms": text_end_ms,
                 "style": {"size": 0.09, "box": False}},
            ],
            "captions": {"enabled": True, "max_words": 6},
            "voice": {"source": "audio/voice.wav",
                      "script": "Fresh bread every morning at the harbor, made by hand"},
        }
    )  # fmt: skip


def _span(block: TextBlock) -> tuple[int, int]:
    return block.y - block.padding, block.y + block.height + block.padding


def test_a_title_during_captions_sits_above_them() -> None:
    for anchor in ("center", "bottom"):
        items = _texts(_timeline(0, 5000, anchor), FIXTURE_MEDIA, SIZE)
        title = next(i for i in items if i.file_name.startswith("text_"))
        captions = [i for i in items if i.file_name.startswith("caption_")]
        assert captions
        title_top, title_bottom = _span(title.block)
        for caption in captions:
            caption_top, _ = _span(caption.block)
            assert title_bottom < caption_top, (anchor, title.block, caption.block)
        assert title_top >= round(0.12 * SIZE[1]) - title.block.padding  # still in the safe area


def test_a_title_off_screen_while_captions_show_keeps_its_place() -> None:
    shared_screen = _timeline(0, 5000, "bottom")
    before_voice = _timeline(0, 800, "bottom").model_copy(
        update={"voice": shared_screen.voice.model_copy(update={"offset_ms": 1000})}
    )
    alone = shared_screen.model_copy(update={"captions": None})
    reference = _texts(alone, FIXTURE_MEDIA, SIZE)[0].block
    assert _texts(shared_screen, FIXTURE_MEDIA, SIZE)[0].block != reference  # moved up
    assert _texts(before_voice, FIXTURE_MEDIA, SIZE)[0].block == reference  # left alone
