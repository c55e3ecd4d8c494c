"""Plain spoken text: strip what a voice must not read, count words, fit a spoken length."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

ENGLISH_WORDS_PER_SECOND = 2.5

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufeff]")
_TAG = re.compile(r"<[^<>]{0,200}>")
# Stage directions a model adds ("[upbeat music]", "(SFX: door)") and speaker labels ("VO:").
_DIRECTION = re.compile(
    r"\[[^\]]{0,200}\]|\((?:sfx|music|sound|pause|beat|vo)\b[^)]{0,200}\)", re.I
)
_SPEAKER = re.compile(r"(?:^|\s)(?:narrator|voice[- ]?over|vo|announcer)\s*:\s*", re.I)
_MARKDOWN = re.compile(r"(\*\*|__|\*|`+|~~|^#+\s*|^\s*[-•]\s+|#(?=[^\W\d]))", re.M)
_SPACE = re.compile(r"\s+")
_SPACE_BEFORE_MARK = re.compile(r"\s+([!?.,;:])")
_SENTENCES = re.compile(r"[^.!?]+(?:[.!?]+[\"')\]]*|$)")


def clean_spoken(text: str) -> str:
    """Text a voice can read: no control characters, markup, stage directions or labels."""
    text = _CONTROL.sub(" ", text)
    text = _TAG.sub(" ", text)
    text = _DIRECTION.sub(" ", text)
    text = _MARKDOWN.sub("", text)
    text = _SPEAKER.sub(" ", text)
    return _SPACE_BEFORE_MARK.sub(r"\1", _SPACE.sub(" ", text)).strip()


def count_words(text: str) -> int:
    return len(text.split())


def max_words(duration_s: float, words_per_second: float) -> int:
    return max(1, math.floor(duration_s * words_per_second))


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCES.findall(text) if s.strip()]


@dataclass(frozen=True)
class Fitted:
    text: str
    words_before: int
    words_after: int

    @property
    def trimmed(self) -> bool:
        return self.words_after < self.words_before


def fit_words(text: str, limit: int) -> Fitted:
    """``text`` within ``limit`` words, cut at sentence boundaries.

    The last sentence (the call to action, by the writers' contract) is kept and sentences are
    dropped from the end of the body; only a single sentence longer than the limit is cut
    mid-sentence, at a word, and closed with a full stop.
    """
    before = count_words(text)
    if before <= limit:
        return Fitted(text, before, before)
    parts = sentences(text)
    closing = parts[-1] if len(parts) > 1 and count_words(parts[-1]) < limit else None
    body = parts[:-1] if closing else parts
    budget = limit - (count_words(closing) if closing else 0)
    kept: list[str] = []
    for sentence in body:
        if count_words(" ".join([*kept, sentence])) > budget:
            break
        kept.append(sentence)
    if not kept and not closing:
        cut = " ".join(text.split()[:limit]).rstrip(",;:-")
        fitted = cut if cut.endswith((".", "!", "?")) else cut + "."
    else:
        fitted = " ".join([*kept, *([closing] if closing else [])])
    return Fitted(fitted, before, count_words(fitted))
