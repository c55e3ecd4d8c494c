"""espeak-ng word timings against the audio it made (real espeak-ng): every pause in the voice
file lines up with a gap between timed words, and every timed word is sound, within 50 ms."""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np
import pytest

from shared.timeline.model import WordTiming
from shared.voice import espeak
from shared.voice.chain import espeak_voice
from shared.voice.spoken import FILE_RATE, write_voice_file

pytestmark = [
    pytest.mark.ffmpeg,
    pytest.mark.skipif(espeak.missing() is not None, reason="espeak-ng is not installed"),
]

TOLERANCE_MS = 50
PAUSE_MS = 100  # a silence this long is a pause between words, not a stop consonant


def envelope_ms(path: Path) -> np.ndarray:
    """Loud or not, per millisecond of the WAV file (10 ms RMS window, -34 dB of the peak)."""
    with wave.open(str(path)) as wav:
        assert wav.getframerate() == FILE_RATE
        x = np.frombuffer(wav.readframes(wav.getnframes()), "<i2").astype(float) / 32768
    per_ms = FILE_RATE // 1000
    power = np.convolve(x**2, np.ones(10 * per_ms) / (10 * per_ms), mode="same")
    rms = np.sqrt(power[::per_ms])
    return np.asarray(rms > 0.02 * rms.max())


def pauses(loud: np.ndarray) -> list[tuple[int, int]]:
    """Silent runs of PAUSE_MS or more between sounds (not the file's leading/trailing silence)."""
    runs, start = [], None
    for ms, sound in enumerate(loud):
        if not sound and start is None:
            start = ms
        elif sound and start is not None:
            if start > 0 and ms - start >= PAUSE_MS:
                runs.append((start, ms))
            start = None
    return runs


def check_against_audio(timings: tuple[WordTiming, ...], path: Path) -> list[tuple[int, int]]:
    loud = envelope_ms(path)
    found = pauses(loud)
    for a, b in found:
        assert any(
            abs(w.end_ms - a) <= TOLERANCE_MS and abs(nxt.start_ms - b) <= TOLERANCE_MS
            for w, nxt in zip(timings, timings[1:], strict=False)
        ), f"the pause {a}-{b} ms lines up with no gap between words: {timings}"
    for w in timings:
        assert loud[w.start_ms : w.start_ms + TOLERANCE_MS].any(), f"{w} starts in silence"
        assert loud[max(0, w.end_ms - TOLERANCE_MS) : w.end_ms].any(), f"{w} ends in silence"
    for w, nxt in zip(timings, timings[1:], strict=False):
        assert w.end_ms <= nxt.start_ms, (w, nxt)
        if nxt.start_ms - w.end_ms >= PAUSE_MS + 2 * TOLERANCE_MS:
            assert not loud[w.end_ms + TOLERANCE_MS : nxt.start_ms - TOLERANCE_MS].any(), (w, nxt)
    return found


def test_every_pause_between_words_lines_up_with_the_timings(tmp_path: Path) -> None:
    script = "One. Two, three! Four; five. Six? Seven, eight. Nine, ten."
    path = tmp_path / "voice.wav"
    timings = write_voice_file(espeak_voice(script), path)

    assert [w.word for w in timings] == script.split()
    found = check_against_audio(timings, path)
    assert len(found) == len(timings) - 1  # punctuation after every word: a pause at each gap


def test_connected_speech_is_timed_word_by_word(tmp_path: Path) -> None:
    script = (
        "Fresh sourdough, baked every morning at Harbor Bakery. "
        "Visit Rosie's café today — and taste the difference!"
    )
    path = tmp_path / "voice.wav"
    timings = write_voice_file(espeak_voice(script), path)

    assert [w.word for w in timings] == [t for t in script.split() if t != "—"]
    assert len(check_against_audio(timings, path)) >= 3  # the commas and the full stop
    assert all(a.start_ms < b.start_ms for a, b in zip(timings, timings[1:], strict=False))


@pytest.mark.parametrize(
    ("language", "script"),
    [
        ("en-gb", "Fresh bread, every morning."),
        ("fr", "Du pain frais, chaque matin."),
        ("de", "Frisches Brot, jeden Morgen."),
    ],
)
def test_other_languages_are_timed_too(tmp_path: Path, language: str, script: str) -> None:
    path = tmp_path / "voice.wav"
    timings = write_voice_file(espeak_voice(script, language), path)
    assert [w.word for w in timings] == script.split()
    check_against_audio(timings, path)


def test_the_voice_file_is_cut_at_the_limit_with_its_timings(tmp_path: Path) -> None:
    path = tmp_path / "voice.wav"
    timings = write_voice_file(espeak_voice("One. Two. Three. Four. Five. Six."), path, 1500)
    with wave.open(str(path)) as wav:
        assert wav.getnframes() == 1500 * FILE_RATE // 1000
    assert 0 < len(timings) < 6 and all(w.end_ms <= 1500 for w in timings)
