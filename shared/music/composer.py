"""The offline composer, the music chain's last link (any CPU, no key, no model): chords, bass,
an arpeggio and drums at the brief's tempo and key, ending on a final chord hit that rings out
to the programme's last frame (where the call to action is).

It is written a bar at a time straight into the WAV file: each bar is synthesised with room for
the notes that ring past its bar line, and what rings over is carried into the next bar, so
memory is flat in the programme's length (a 3-hour bed holds one bar, never the programme).
Deterministic: the same brief and length make the same file, sample for sample.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from shared.music.brief import BEATS_PER_BAR, Mood, MusicBrief
from shared.music.pcm import CHANNELS, RATE, wav_writer, write_block

RING_S = 2.0  # how long the final chord rings out, at most (plus up to a beat)
ROOM_S = RING_S + 1.5  # what each bar leaves after its end for the notes that ring over
MASTER = 0.55


@dataclass(frozen=True)
class Style:
    kick: tuple[float, ...]  # beat positions within the bar
    snare: tuple[float, ...]
    hats_per_beat: int  # 0: no hats
    arp_per_beat: int
    brightness: int  # harmonics in the pad and the arpeggio


_STYLES = {
    Mood.BRIGHT: Style((0, 1.5, 2), (1, 3), 2, 2, 4),
    Mood.WARM: Style((0, 2.5), (1, 3), 2, 2, 3),
    Mood.CALM: Style((0,), (), 0, 1, 2),
    Mood.DRIVING: Style((0, 1, 2, 3), (1, 3), 4, 4, 5),
    Mood.DARK: Style((0, 0.75, 2.5), (2,), 2, 2, 3),
    Mood.SAD: Style((0,), (2,), 1, 1, 2),
}
# Chords as (degree in semitones above the tonic, minor third?) per bar, chosen by the seed.
_MAJOR = (((0, False), (7, False), (9, True), (5, False)),
          ((0, False), (9, True), (5, False), (7, False)),
          ((5, False), (0, False), (7, False), (9, True)))  # fmt: skip
_MINOR = (((0, True), (8, False), (3, False), (10, False)),
          ((0, True), (5, True), (8, False), (7, False)),
          ((0, True), (10, False), (8, False), (7, False)))  # fmt: skip


def _hz(midi: float) -> float:
    return 440.0 * 2 ** ((midi - 69) / 12)


def _chord(brief: MusicBrief, bar: int) -> tuple[int, ...]:
    """The bar's chord as MIDI notes around middle C, root first."""
    progressions = _MINOR if brief.minor else _MAJOR
    degree, minor = progressions[brief.seed % len(progressions)][bar % 4]
    root = 48 + (brief.root + degree) % 12
    root += 12 if root < 53 else 0
    return root, root + (3 if minor else 4), root + 7


class _Bar:
    """One bar's audio, with room after its end for what rings over."""

    def __init__(self, frames: int, rate: int) -> None:
        self.rate = rate
        self.audio = np.zeros((frames + int(ROOM_S * rate), CHANNELS), dtype=np.float32)

    def add(self, at_s: float, mono: np.ndarray, pan: float = 0.0) -> None:
        start = int(round(at_s * self.rate))
        end = min(len(self.audio), start + len(mono))
        if start >= end:
            return
        part = mono[: end - start]
        self.audio[start:end, 0] += part * (1 - pan) * 0.5 * 2**0.5
        self.audio[start:end, 1] += part * (1 + pan) * 0.5 * 2**0.5


def _frozen(a: np.ndarray) -> np.ndarray:
    a.setflags(write=False)  # cached and shared by every bar that plays it
    return a


# Cached: a progression repeats every four bars, so a long programme synthesises each note once.
@lru_cache(maxsize=512)
def _tone(rate: int, hz: float, seconds: float, harmonics: int, decay: float) -> np.ndarray:
    t = np.arange(int(seconds * rate), dtype=np.float32) / rate
    wave = sum(np.sin(2 * np.pi * hz * h * t) / h**1.5 for h in range(1, harmonics + 1))
    attack = np.minimum(1.0, t / 0.004)
    return _frozen(np.asarray(wave * attack * np.exp(-t * decay), dtype=np.float32))


@lru_cache(maxsize=128)
def _pad(rate: int, hz: float, seconds: float, harmonics: int) -> np.ndarray:
    t = np.arange(int((seconds + 0.5) * rate), dtype=np.float32) / rate
    wave = sum(
        np.sin(2 * np.pi * hz * h * t) / h**2 + np.sin(2 * np.pi * hz * 1.003 * h * t) / h**2
        for h in range(1, harmonics + 1)
    )
    swell = np.minimum(1.0, t / 0.12) * np.clip((seconds + 0.5 - t) / 0.5, 0, 1)
    return _frozen(np.asarray(0.5 * wave * swell, dtype=np.float32))


@lru_cache(maxsize=8)
def _kick(rate: int) -> np.ndarray:
    t = np.arange(int(0.35 * rate), dtype=np.float32) / rate
    phase = 2 * np.pi * (45 * t + 75 * (1 - np.exp(-t * 30)) / 30)
    return _frozen(np.asarray(np.sin(phase) * np.exp(-t * 9), dtype=np.float32))


def _noise(rng: np.random.Generator, rate: int, seconds: float, decay: float) -> np.ndarray:
    n = int(seconds * rate)
    return np.asarray(rng.standard_normal(n) * np.exp(-np.arange(n) / rate * decay), np.float32)


def _snare(rng: np.random.Generator, rate: int) -> np.ndarray:
    body = _tone(rate, 185, 0.18, 1, 25)
    return 0.6 * _noise(rng, rate, 0.18, 22) + 0.5 * body


def _hat(rng: np.random.Generator, rate: int) -> np.ndarray:
    noise = _noise(rng, rate, 0.05, 90)
    return np.diff(noise, prepend=np.float32(0.0))  # a first difference: the highs only


def _play_bar(bar: _Bar, brief: MusicBrief, style: Style, index: int, stop_s: float) -> None:
    """Bar ``index``'s notes that start before ``stop_s`` (the final hit; from the bar's start)."""
    rate, beat = bar.rate, brief.beat_s
    rng = np.random.default_rng([brief.seed, index])
    chord = _chord(brief, index)
    intro = index < 2
    pad_s = min(brief.bar_s, stop_s)
    if pad_s > 0:
        for n, note in enumerate(chord):
            bar.add(0, 0.07 * _pad(rate, _hz(note), pad_s, style.brightness), pan=0.5 * (n - 1))
    steps = BEATS_PER_BAR * style.arp_per_beat
    pattern = (0, 1, 2, 1, 2, 0, 1, 2) if index % 2 else (0, 2, 1, 2, 0, 1, 2, 1)
    for step in range(steps):
        at = step * beat / style.arp_per_beat
        if at < stop_s:
            note = chord[pattern[step % len(pattern)]] + 12
            tone = _tone(rate, _hz(note), 0.6, style.brightness, 7)
            bar.add(at, 0.06 * tone, pan=0.3 if step % 2 else -0.3)
    if intro:
        return
    for beat_n in range(BEATS_PER_BAR):
        at = beat_n * beat
        if at < stop_s:
            bass = _tone(rate, _hz(chord[0] - 24), min(beat * 0.95, 0.8), 3, 4)
            bar.add(at, 0.22 * np.tanh(2 * bass))
    fill = index % 8 == 7
    for position in style.kick:
        if position * beat < stop_s:
            bar.add(position * beat, 0.5 * _kick(rate))
    snares = style.snare + ((3.5, 3.75) if fill and style.snare else ())
    for position in snares:
        if position * beat < stop_s:
            bar.add(position * beat, 0.22 * _snare(rng, rate))
    for step in range(BEATS_PER_BAR * style.hats_per_beat):
        at = step * beat / style.hats_per_beat
        if at < stop_s:
            bar.add(at, (0.05 if step % 2 else 0.08) * _hat(rng, rate), pan=0.4)
    if index % 8 == 2:  # a cymbal where the groove comes in, and every eight bars after
        bar.add(0, 0.05 * _noise(rng, rate, 1.5, 2.5), pan=-0.2)


def _final_hit(bar: _Bar, brief: MusicBrief, at_s: float, ring_s: float) -> None:
    rate, rng = bar.rate, np.random.default_rng([brief.seed, 1 << 30])
    root = 48 + brief.root % 12
    notes = (root - 12, root, root + (3 if brief.minor else 4), root + 7, root + 12)
    for n, note in enumerate(notes):
        tone = _tone(rate, _hz(note), ring_s, 4, 1.6)
        bar.add(at_s, 0.09 * tone, pan=0.25 * (n - 2))
    bar.add(at_s, 0.5 * _kick(rate))
    bar.add(at_s, 0.07 * _noise(rng, rate, ring_s, 2.2))


def final_hit_s(brief: MusicBrief, duration_s: float) -> float:
    """When the final chord lands: the last beat that leaves it time to ring (at least 1 s)."""
    ring = min(RING_S, max(1.0, duration_s / 4))
    beats = int(max(0.0, duration_s - ring) / brief.beat_s)
    return beats * brief.beat_s


def compose(path: Path, duration_ms: int, brief: MusicBrief, rate: int = RATE) -> Path:
    """A stereo 16-bit WAV of exactly ``duration_ms`` (rounded to a frame) at ``rate``."""
    total = max(1, round(duration_ms * rate / 1000))
    bar_frames = brief.bar_s * rate
    hit_s = final_hit_s(brief, total / rate)
    style = _STYLES[brief.mood]
    fade = max(1, int(0.25 * rate))  # the last quarter second fades to exactly nothing
    carry = np.zeros((0, CHANNELS), dtype=np.float32)
    with wav_writer(path, rate) as out:
        index = 0
        while (start := round(index * bar_frames)) < total:
            end = min(round((index + 1) * bar_frames), total)
            bar = _Bar(end - start, rate)
            bar.audio[: len(carry)] += carry
            bar_s = start / rate
            _play_bar(bar, brief, style, index, hit_s - bar_s)
            if start <= round(hit_s * rate) < end:  # in frames: exactly one bar holds it
                _final_hit(bar, brief, hit_s - bar_s, total / rate - hit_s)
            block = bar.audio[: end - start]
            left = total - np.arange(start, end)
            block *= np.clip(left / fade, 0.0, 1.0)[:, None]
            write_block(out, np.tanh(MASTER * block * 1.6) / 1.6)
            carry = bar.audio[end - start :].copy()
            index += 1
    return path
