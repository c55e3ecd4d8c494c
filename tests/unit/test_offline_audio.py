"""The offline voice and music: the right length, audible, deterministic."""

from __future__ import annotations

import shutil
import wave
from pathlib import Path

import numpy as np
import pytest

from shared.pipeline.offline_audio import RATE, make_voice, procedural_music, write_wav


def seconds(path: Path) -> float:
    with wave.open(str(path)) as wav:
        return wav.getnframes() / wav.getframerate()


@pytest.mark.skipif(shutil.which("espeak-ng") is not None, reason="espeak-ng speaks instead")
def test_synthetic_voice_lasts_about_as_long_as_the_script(tmp_path: Path) -> None:
    script = " ".join(["word"] * 10)
    made_by = make_voice(script, tmp_path / "v.wav")
    assert "synthetic" in made_by and "espeak-ng is not installed" in made_by
    assert seconds(tmp_path / "v.wav") == pytest.approx(10 / 2.5, abs=0.01)
    make_voice(script * 10, tmp_path / "capped.wav", max_s=3.0)
    assert seconds(tmp_path / "capped.wav") == pytest.approx(3.0, abs=0.01)


def test_music_is_stereo_audible_and_deterministic(tmp_path: Path) -> None:
    music = procedural_music(5.0)
    assert music.shape == (5 * RATE, 2)
    assert 0.4 < np.abs(music).max() <= 0.5 and np.sqrt(np.mean(music**2)) > 0.05
    assert np.array_equal(music, procedural_music(5.0))
    write_wav(tmp_path / "m.wav", music)
    with wave.open(str(tmp_path / "m.wav")) as wav:
        assert (wav.getnchannels(), wav.getframerate()) == (2, RATE)
