"""What a music prompt asks for, read the plain way (pure): a tempo, a mood and a key.

"120 bpm" wins; else tempo words ("fast", "slow", "upbeat", "chill") and mood words pick it;
else the mood's default. The key comes from the prompt ("in D minor") or from the mood, so the
same prompt always gets the same music.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from enum import Enum

MIN_BPM, MAX_BPM = 60, 180
BEATS_PER_BAR = 4


class Mood(Enum):
    BRIGHT = "bright"  # upbeat pop / corporate
    CALM = "calm"  # ambient, soft, relaxing
    WARM = "warm"  # acoustic, friendly (the default)
    DRIVING = "driving"  # energetic, sport, electronic
    DARK = "dark"  # tense, dramatic, cinematic
    SAD = "sad"  # emotional, melancholic


_MOOD_WORDS: dict[Mood, tuple[str, ...]] = {
    Mood.DRIVING: ("energetic", "energy", "sport", "workout", "edm", "dance", "electronic",
                   "rock", "powerful", "hype", "action", "intense"),
    Mood.DARK: ("dark", "tense", "dramatic", "cinematic", "epic", "mysterious", "suspense"),
    Mood.SAD: ("sad", "melancholic", "melancholy", "emotional", "nostalgic", "touching"),
    Mood.CALM: ("calm", "ambient", "soft", "relaxing", "peaceful", "gentle", "chill", "lofi",
                "lo-fi", "spa", "dreamy", "quiet"),
    Mood.BRIGHT: ("upbeat", "happy", "bright", "cheerful", "corporate", "pop", "fun", "playful",
                  "positive", "summer", "sunny"),
    Mood.WARM: ("warm", "acoustic", "friendly", "folk", "cozy", "cosy", "organic"),
}  # fmt: skip
_MOOD_BPM = {Mood.BRIGHT: 118, Mood.CALM: 76, Mood.WARM: 96, Mood.DRIVING: 128, Mood.DARK: 88,
             Mood.SAD: 72}  # fmt: skip
_MINOR_MOODS = frozenset({Mood.DARK, Mood.SAD})
_TEMPO_WORDS = {"very fast": 150, "fast": 135, "quick": 132, "slow": 70, "very slow": 62,
                "medium": 100, "moderate": 100, "mid-tempo": 100}  # fmt: skip
_BPM = re.compile(r"\b(\d{2,3})\s*(?:bpm|beats per minute)\b")
_KEY = re.compile(r"\bin ([a-g])(#| sharp|b| flat)?\s*(major|minor)\b")  # "in a cafe" is no key
_NOTE = {"c": 0, "d": 2, "e": 4, "f": 5, "g": 7, "a": 9, "b": 11}
NOTE_NAMES = ("C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B")


@dataclass(frozen=True)
class MusicBrief:
    prompt: str
    bpm: int
    mood: Mood
    root: int  # pitch class of the key's tonic, 0 = C
    minor: bool
    seed: int  # from the prompt: the same prompt makes the same music

    @property
    def key_name(self) -> str:
        return f"{NOTE_NAMES[self.root]} {'minor' if self.minor else 'major'}"

    @property
    def beat_s(self) -> float:
        return 60.0 / self.bpm

    @property
    def bar_s(self) -> float:
        return BEATS_PER_BAR * self.beat_s

    def describe(self) -> str:
        """The prompt with the tempo and key spelled out, for models that read text only."""
        base = self.prompt or f"{self.mood.value} instrumental background music"
        return f"{base}, instrumental, {self.bpm} BPM, {self.key_name}"


def _mood(text: str) -> Mood:
    for mood, words in _MOOD_WORDS.items():
        if any(re.search(rf"\b{re.escape(word)}\b", text) for word in words):
            return mood
    return Mood.WARM


def _tempo(text: str, mood: Mood) -> int:
    asked = _BPM.search(text)
    if asked:
        return min(MAX_BPM, max(MIN_BPM, int(asked.group(1))))
    for words in sorted(_TEMPO_WORDS, key=len, reverse=True):  # "very fast" before "fast"
        if re.search(rf"\b{re.escape(words)}\b", text):
            return _TEMPO_WORDS[words]
    return _MOOD_BPM[mood]


def read_brief(prompt: str) -> MusicBrief:
    text = " ".join(prompt.lower().split())
    mood = _mood(text)
    seed = int.from_bytes(hashlib.sha256(text.encode()).digest()[:4], "big")
    key = _KEY.search(text)
    if key:
        accidental = {"#": 1, " sharp": 1, "b": -1, " flat": -1}.get(key.group(2) or "", 0)
        root = (_NOTE[key.group(1)] + accidental) % 12
        minor = key.group(3) == "minor"
    else:
        minor = mood in _MINOR_MOODS
        root = (0, 2, 5, 7, 9)[seed % 5] if not minor else (9, 2, 4, 0, 7)[seed % 5]
    return MusicBrief(prompt.strip(), _tempo(text, mood), mood, root, minor, seed)
