"""Captions: timed chunks from word timings when given, else spread by syllables."""

from __future__ import annotations

import pytest

from shared.render.text.captions import HOLD_MS, caption_chunks, syllables
from shared.timeline import VoiceTrack, WordTiming

SCRIPT = (
    "Mornings deserve better. Nordic Roast beans are picked by hand, roasted in small "
    "batches, and shipped within forty eight hours. Order today!"
)


def _check_ordered_inside(chunks, start_ms: int, end_ms: int) -> None:
    assert chunks
    for a, b in zip(chunks, chunks[1:], strict=False):
        assert a.end_ms <= b.start_ms
    for c in chunks:
        assert start_ms <= c.start_ms < c.end_ms <= end_ms


def test_syllables() -> None:
    assert syllables("coffee") == 2
    assert syllables("a") == 1
    assert syllables("48") == 2
    assert syllables("roasted,") == 2


def test_spread_over_the_voice_span_without_word_timings() -> None:
    voice = VoiceTrack(source="v.wav", offset_ms=500, script=SCRIPT)
    chunks = caption_chunks(voice, voice_file_ms=9000, timeline_ms=20000, max_words=5)
    _check_ordered_inside(chunks, 500, 9500)
    assert chunks[0].start_ms == 500
    assert " ".join(c.text for c in chunks) == SCRIPT
    assert all(len(c.text.split()) <= 5 for c in chunks)
    # a sentence never continues into the next caption's first words
    assert chunks[0].text == "Mornings deserve better."


def test_longer_words_get_more_time() -> None:
    voice = VoiceTrack(source="v.wav", script="a b c extraordinarily d e")
    chunks = caption_chunks(voice, voice_file_ms=6000, timeline_ms=6000, max_words=1)
    lengths = {c.text: c.end_ms - c.start_ms for c in chunks}
    assert lengths["extraordinarily"] > 3 * lengths["b"]


def test_trimmed_voice_and_video_end_bound_the_span() -> None:
    voice = VoiceTrack(
        source="v.wav", offset_ms=1000, trim_start_ms=2000, trim_end_ms=8000, script=SCRIPT
    )
    chunks = caption_chunks(voice, voice_file_ms=12000, timeline_ms=5000, max_words=6)
    _check_ordered_inside(chunks, 1000, 5000)


def test_word_timings_are_used_and_moved_onto_the_timeline() -> None:
    timings = (
        WordTiming(word="Fresh", start_ms=0, end_ms=300),
        WordTiming(word="coffee.", start_ms=320, end_ms=800),
        WordTiming(word="Every", start_ms=2000, end_ms=2300),
        WordTiming(word="day", start_ms=2300, end_ms=2600),
    )
    voice = VoiceTrack(source="v.wav", offset_ms=1000, script="ignored here", word_timings=timings)
    chunks = caption_chunks(voice, voice_file_ms=3000, timeline_ms=10000, max_words=6)
    assert [(c.text, c.start_ms) for c in chunks] == [("Fresh coffee.", 1000), ("Every day", 3000)]
    assert chunks[0].end_ms == 1800 + HOLD_MS  # held after the last word, before the next
    assert chunks[1].end_ms == 4000  # the hold stops where the voice file ends
    _check_ordered_inside(chunks, 1000, 4000)


def test_word_timings_outside_the_trim_are_dropped() -> None:
    timings = tuple(
        WordTiming(word=f"w{i}", start_ms=i * 500, end_ms=i * 500 + 400) for i in range(10)
    )
    voice = VoiceTrack(
        source="v.wav", trim_start_ms=1000, trim_end_ms=3000, script="x", word_timings=timings
    )
    chunks = caption_chunks(voice, voice_file_ms=5000, timeline_ms=10000, max_words=20)
    assert chunks[0].text == "w2 w3 w4 w5"
    _check_ordered_inside(chunks, 0, 2000)


@pytest.mark.parametrize("max_words", [1, 3, 8])
def test_max_words_per_chunk(max_words: int) -> None:
    voice = VoiceTrack(source="v.wav", script=SCRIPT)
    chunks = caption_chunks(voice, voice_file_ms=10000, timeline_ms=10000, max_words=max_words)
    assert all(1 <= len(c.text.split()) <= max_words for c in chunks)


def test_voice_starting_after_the_video_gives_no_captions() -> None:
    voice = VoiceTrack(source="v.wav", offset_ms=5000, script=SCRIPT)
    assert caption_chunks(voice, voice_file_ms=3000, timeline_ms=5000, max_words=6) == ()
