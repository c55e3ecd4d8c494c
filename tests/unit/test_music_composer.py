"""The offline composer and the fitted-bed writer write in blocks: the exact length, music-like,
deterministic, an ending that lands, downbeats kept across loop points, and memory that stays
flat however long the programme is."""

from __future__ import annotations

import hashlib
import tracemalloc
import wave
from collections.abc import Callable
from pathlib import Path

import numpy as np

from shared.music.brief import read_brief
from shared.music.composer import compose, final_hit_s
from shared.music.fit import bar_frames, fit_plan
from shared.music.fitted import write_fitted
from shared.pipeline.offline_audio import write_wav

LOW_RATE = 8_000  # the memory tests: long programmes, quickly


def samples(path: Path) -> tuple[np.ndarray, int]:
    with wave.open(str(path)) as wav:
        pcm = np.frombuffer(wav.readframes(wav.getnframes()), dtype="<i2")
        return pcm.reshape(-1, wav.getnchannels()) / 32768, wav.getframerate()


def rms(a: np.ndarray) -> float:
    return float(np.sqrt(np.mean(a**2)))


def test_the_composer_makes_the_exact_length_with_an_ending_that_lands(tmp_path: Path) -> None:
    brief = read_brief("upbeat corporate 120 bpm")
    path = compose(tmp_path / "a.wav", 12_345, brief)
    audio, rate = samples(path)
    assert audio.shape == (round(12.345 * rate), 2)
    assert 0.2 < np.abs(audio).max() < 0.9 and rms(audio) > 0.03
    hit = round(final_hit_s(brief, 12.345) * rate)
    assert hit % round(brief.beat_s * rate) == 0  # the final chord lands on a beat
    before, after = audio[hit - rate // 4 : hit - 200], audio[hit : hit + rate // 4]
    assert rms(after) > rms(before)  # ... and lands as a hit
    assert np.abs(audio[-20:]).max() < 0.002  # ringing out to nothing at the very end
    again = compose(tmp_path / "b.wav", 12_345, brief)
    assert hashlib.sha256(path.read_bytes()).digest() == hashlib.sha256(again.read_bytes()).digest()
    other, _ = samples(compose(tmp_path / "c.wav", 12_345, read_brief("calm ambient in a minor")))
    assert not np.array_equal(other, audio)  # another prompt, other music


def test_a_loop_keeps_the_downbeats_on_the_grid(tmp_path: Path) -> None:
    rate, bpm = 8_000, 120
    beat = rate // 2
    bed = np.zeros(int(5.3 * 4 * beat))  # 5.3 bars of clicks, one on every beat
    for start in range(0, len(bed), beat):
        bed[start : start + 40] = 0.8
    source = write_wav(tmp_path / "bed.wav", bed, rate)
    target = 17 * 4 * beat + 1234
    plan = fit_plan(len(bed), bar_frames(bpm, rate), target, crossfade=80, tail=800)
    assert len(plan.segments) >= 3
    out, _ = samples(write_fitted(source, plan, tmp_path / "fitted.wav"))
    assert out.shape == (target, 2)
    loud = np.flatnonzero(np.abs(out[:, 0]) > 0.3)
    onsets = loud[np.diff(loud, prepend=-10) > 1]
    assert len(onsets) == (target - 800) // beat + 1  # a click on every beat, none doubled
    assert all(onset % beat == 0 for onset in onsets)
    assert np.abs(out[-10:]).max() < 0.01


def peak_bytes(make: Callable[[], object]) -> int:
    tracemalloc.start()
    try:
        make()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_memory_is_flat_in_the_programme_length(tmp_path: Path) -> None:
    brief = read_brief("energetic 128 bpm")
    compose(tmp_path / "warm.wav", 10_000, brief, LOW_RATE)  # the note cache, filled once
    short = peak_bytes(lambda: compose(tmp_path / "s.wav", 60_000, brief, LOW_RATE))
    long = peak_bytes(lambda: compose(tmp_path / "l.wav", 6 * 60_000, brief, LOW_RATE))
    assert long < short * 1.2 + 100_000, (short, long)
    assert long < 2 * 1024 * 1024  # a few bars, never the programme (5.8 MB of 16-bit audio)
    bed = tmp_path / "s.wav"
    bar = bar_frames(brief.bpm, LOW_RATE)

    def fitted(minutes: int) -> object:
        plan = fit_plan(60 * LOW_RATE, bar, minutes * 60 * LOW_RATE, crossfade=80, tail=800)
        return write_fitted(bed, plan, tmp_path / f"fit-{minutes}.wav")

    assert peak_bytes(lambda: fitted(12)) < peak_bytes(lambda: fitted(2)) * 1.2 + 100_000
