"""The offline music: the right length, audible, deterministic (the offline voice, espeak-ng, is
tested in test_espeak_timing.py)."""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np

from shared.pipeline.offline_audio import RATE, procedural_music, write_wav


def seconds(path: Path) -> float:
    with wave.open(str(path)) as wav:
        return wav.getnframes() / wav.getframerate()


def test_music_is_stereo_audible_and_deterministic(tmp_path: Path) -> None:
    music = procedural_music(5.0)
    assert music.shape == (5 * RATE, 2)
    assert 0.4 < np.abs(music).max() <= 0.5 and np.sqrt(np.mean(music**2)) > 0.05
    assert np.array_equal(music, procedural_music(5.0))
    write_wav(tmp_path / "m.wav", music)
    with wave.open(str(tmp_path / "m.wav")) as wav:
        assert (wav.getnchannels(), wav.getframerate()) == (2, RATE)
