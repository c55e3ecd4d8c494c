"""Word timings from what an engine reports (pure): espeak-ng's word starts plus the measured end of
each word's sound, or ElevenLabs' character alignment. Words are the script's own whitespace-split
tokens, punctuation kept, so captions show what was written."""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from shared.timeline.model import WordTiming

FRAME_MS = 5
SILENCE_RATIO = 0.02  # a frame this far below the loudest frame is silence (about -34 dB)
_MAX_WORD_CHARS = 100


def tokens(text: str) -> list[tuple[str, int, int]]:
    """``(word, first character, one past the last)`` of each whitespace-separated token."""
    return [(m.group(), m.start(), m.end()) for m in re.finditer(r"\S+", text)]


def loud_frames(samples: np.ndarray, rate: int) -> np.ndarray:
    """One bool per FRAME_MS frame: is there sound in it."""
    size = max(1, rate * FRAME_MS // 1000)
    count = len(samples) // size
    if count == 0:
        return np.zeros(0, dtype=bool)
    frames = samples[: count * size].astype(np.float64).reshape(count, size)
    rms = np.sqrt((frames**2).mean(axis=1))
    return np.asarray(rms > SILENCE_RATIO * max(float(rms.max()), 1e-9))


def _timed(word: str, start_ms: int, end_ms: int) -> WordTiming:
    return WordTiming(word=word[:_MAX_WORD_CHARS], start_ms=start_ms, end_ms=max(end_ms, start_ms))


def from_word_starts(
    text: str, starts: Sequence[tuple[int, int]], samples: np.ndarray, rate: int
) -> tuple[WordTiming, ...]:
    """Timings from the engine's ``(character, sample)`` word starts: between its start and the
    next word's, a word is timed from its first to its last sound (measured on ``samples``, so a
    word opening on a stop's silent closure starts at the burst). A token the engine did not mark
    joins the word before it ("Rosie's" is one word); unmarked punctuation alone is dropped."""
    words: list[tuple[str, int]] = []  # (text, start sample)
    for word, first, last in tokens(text):
        marked = [sample for char, sample in starts if first <= char < last]
        if marked:
            words.append((word, min(marked)))
        elif words and any(c.isalnum() for c in word):
            words[-1] = (f"{words[-1][0]} {word}", words[-1][1])
    loud = loud_frames(samples, rate)
    frame = rate * FRAME_MS / 1000
    out: list[WordTiming] = []
    for i, (word, start) in enumerate(words):
        stop = words[i + 1][1] if i + 1 < len(words) else len(samples)
        lo, hi = int(start // frame), int(stop // frame)
        sounding = np.flatnonzero(loud[lo:hi])
        if sounding.size:  # heard from its first sound (after a stop's silent closure) to its last
            start, end = (lo + sounding[0]) * frame, (lo + sounding[-1] + 1) * frame
        else:
            end = start + frame
        out.append(_timed(word, round(start * 1000 / rate), round(min(end, stop) * 1000 / rate)))
    return tuple(out)


def from_alignment(
    characters: Sequence[str], starts_s: Sequence[float], ends_s: Sequence[float]
) -> tuple[WordTiming, ...]:
    """Timings from a per-character alignment: a word runs from its first to its last character."""
    if not len(characters) == len(starts_s) == len(ends_s):
        raise ValueError("the alignment's characters and times differ in length")
    out: list[WordTiming] = []
    word, start, end = "", 0.0, 0.0
    for char, a, b in zip([*characters, " "], [*starts_s, 0.0], [*ends_s, 0.0], strict=True):
        if char.isspace():
            if word:
                out.append(_timed(word, round(start * 1000), round(end * 1000)))
            word = ""
            continue
        if not word:
            start = a
        word, end = word + char, b
    return tuple(out)


def clipped(timings: Sequence[WordTiming], max_ms: int) -> tuple[WordTiming, ...]:
    """The words heard in the first ``max_ms`` (the voice is cut at the video's length)."""
    return tuple(
        _timed(w.word, w.start_ms, min(w.end_ms, max_ms)) for w in timings if w.start_ms < max_ms
    )
