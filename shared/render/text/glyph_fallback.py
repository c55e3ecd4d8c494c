"""Which font draws each character: the first font of the face's chain (``fonts.font_chain``)
whose character map has it. A line is cut into runs of one font each, which are measured and
drawn side by side; a character that no font has is named in a warning on the job."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache

from fontTools.ttLib import TTFont

from shared.render.text.fonts import font_chain
from shared.timeline import Font, Timeline


@dataclass(frozen=True)
class Run:
    """Consecutive characters of one line drawn with one font file."""

    text: str
    font_file: str


@cache
def _coverage(path: str) -> frozenset[int]:
    # Only the cmap is read (lazy); fontNumber picks a collection's first face, as FreeType does.
    with TTFont(path, fontNumber=0, lazy=True) as font:
        return frozenset(font.getBestCmap())


def _invisible(ch: str) -> bool:
    """Spaces, controls, format characters and variation selectors: no glyph of their own, so
    they stay in the run they are in and are never missing."""
    return ch.isspace() or unicodedata.category(ch) in ("Cc", "Cf") or "\ufe00" <= ch <= "\ufe0f"


def _covering(ch: str, chain: tuple[str, ...]) -> str | None:
    return next((path for path in chain if ord(ch) in _coverage(path)), None)


@lru_cache(maxsize=4096)
def runs(line: str, font: Font) -> tuple[Run, ...]:
    """``line`` cut where the drawing font changes. A character no font has stays in the run
    it is in (drawn as that font's empty box, and warned about)."""
    chain = font_chain(font)
    parts: list[tuple[str, list[str]]] = []
    for ch in line:
        current = parts[-1][0] if parts else None
        found = None if current and _invisible(ch) else _covering(ch, chain)
        path = found or current or chain[0]
        if path == current:
            parts[-1][1].append(ch)
        else:
            parts.append((path, [ch]))
    return tuple(Run("".join(chars), path) for path, chars in parts)


def primary_only(text: str, font: Font) -> bool:
    """Whether the face itself draws every line of ``text`` (no fallback font needed)."""
    primary = font_chain(font)[0]
    return all(run.font_file == primary for line in text.split("\n") for run in runs(line, font))


def missing(text: str, font: Font) -> tuple[str, ...]:
    """The characters of ``text`` that no font of the chain has, once each, in order."""
    chain = font_chain(font)
    found = (ch for ch in text if not _invisible(ch) and _covering(ch, chain) is None)
    return tuple(dict.fromkeys(found))


def _named(ch: str) -> str:
    name = unicodedata.name(ch, "")
    return f"U+{ord(ch):04X}" + (f" {name}" if name else "")


def missing_glyph_warnings(timeline: Timeline) -> list[str]:
    """One warning per text (and one for the captions) with characters no font here has,
    naming them: each shows as an empty box."""
    sources = [(f"texts[{i}]", t.text, t.style.font) for i, t in enumerate(timeline.texts)]
    captions, voice = timeline.captions, timeline.voice
    if captions is not None and captions.enabled and voice is not None:
        words = voice.script or ""
        if voice.word_timings:
            words = " ".join(w.word for w in voice.word_timings)
        sources.append(("captions", words, captions.style.font))
    found = []
    for where, text, font in sources:
        chars = missing(unicodedata.normalize("NFC", text), font)
        if chars:
            found.append(
                f"{where}: no font here has {', '.join(map(_named, chars))}; "
                "it shows as an empty box"
            )
    return found
