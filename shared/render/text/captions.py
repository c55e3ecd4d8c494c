"""Captions: the voiceover script cut into short timed chunks on the output timeline.

From the TTS engine's word timings when it gives them; otherwise the script's words are spread
over the voice's span in proportion to their syllables, with extra time at punctuation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from shared.timeline import VoiceTrack, WordTiming

_VOWELS = re.compile(r"[aeiouyàáâãäåæèéêëìíîïòóôõöøùúûüýÿœ]+", re.IGNORECASE)
_SENTENCE_END = (".", "!", "?", "…")
_CLAUSE_END = (",", ";", ":", "—", "-")
HOLD_MS = 800  # a caption stays up this long after its last word, unless the next one starts


@dataclass(frozen=True)
class CaptionChunk:
    text: str
    start_ms: int  # on the output timeline
    end_ms: int


def syllables(word: str) -> int:
    """A rough syllable count: vowel groups for letters, one per digit, at least one."""
    letters = "".join(ch for ch in word if ch.isalpha())
    digits = sum(ch.isdigit() for ch in word)
    groups = len(_VOWELS.findall(letters)) if letters.isascii() else len(letters) // 3
    return max(1, groups + digits)


def _weight(word: str) -> float:
    pause = 2.0 if word.endswith(_SENTENCE_END) else 1.0 if word.endswith(_CLAUSE_END) else 0.0
    return syllables(word) + pause


def _voice_span(voice: VoiceTrack, file_ms: int, timeline_ms: int) -> tuple[int, int]:
    """The voice's [start, end) on the timeline, and nothing past the video's end."""
    trim_end = min(voice.trim_end_ms or file_ms, file_ms)
    end = voice.offset_ms + max(0, trim_end - voice.trim_start_ms)
    return min(voice.offset_ms, timeline_ms), min(end, timeline_ms)


def _spread(words: list[str], start_ms: int, end_ms: int) -> list[WordTiming]:
    weights = [_weight(w) for w in words]
    total = sum(weights)
    timed, acc = [], 0.0
    for word, weight in zip(words, weights, strict=True):
        a = start_ms + round((end_ms - start_ms) * acc / total)
        acc += weight
        b = start_ms + round((end_ms - start_ms) * acc / total)
        timed.append(WordTiming(word=word, start_ms=a, end_ms=b))
    return timed


def _placed(voice: VoiceTrack, span: tuple[int, int]) -> list[WordTiming]:
    """The engine's word timings moved onto the timeline, clipped to the voice's span."""
    assert voice.word_timings is not None
    shift = voice.offset_ms - voice.trim_start_ms
    out = []
    for w in sorted(voice.word_timings, key=lambda w: (w.start_ms, w.end_ms)):
        a = max(w.start_ms + shift, span[0])
        b = min(w.end_ms + shift, span[1])
        if b > a:
            out.append(WordTiming(word=w.word, start_ms=a, end_ms=b))
    return out


def _chunks(words: list[WordTiming], max_words: int) -> list[list[WordTiming]]:
    groups: list[list[WordTiming]] = [[]]
    for w in words:
        groups[-1].append(w)
        if len(groups[-1]) >= max_words or w.word.endswith(_SENTENCE_END):
            groups.append([])
    return [g for g in groups if g]


def caption_chunks(
    voice: VoiceTrack, *, voice_file_ms: int, timeline_ms: int, max_words: int
) -> tuple[CaptionChunk, ...]:
    """Ordered, non-overlapping chunks inside the voice's span on the timeline."""
    span = _voice_span(voice, voice_file_ms, timeline_ms)
    if span[1] <= span[0]:
        return ()
    if voice.word_timings:
        words = _placed(voice, span)
    else:
        words = _spread((voice.script or "").split(), *span) if voice.script else []
    groups = _chunks(words, max_words)
    chunks: list[CaptionChunk] = []
    for i, group in enumerate(groups):
        # Held a little after the last word (no flicker between close chunks), never over the
        # next chunk nor past the voice.
        end = min(group[-1].end_ms + HOLD_MS, span[1])
        if i + 1 < len(groups):
            end = min(end, groups[i + 1][0].start_ms)
        if end > group[0].start_ms:
            chunks.append(CaptionChunk(" ".join(w.word for w in group), group[0].start_ms, end))
    return tuple(chunks)
