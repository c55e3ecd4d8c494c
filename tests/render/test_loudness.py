"""Two-pass loudness normalisation lands on the target, checked with FFmpeg's ebur128 meter."""

from __future__ import annotations

import re
import subprocess
import wave
from pathlib import Path

import imageio_ffmpeg
import numpy as np
import pytest

from shared.errors import RenderFailed
from shared.pipeline.offline_audio import write_wav
from shared.render.media.loudness import (
    LoudnessMeasurement,
    measure_loudness,
    normalise_loudness,
    normalising_filter,
    parse_ebur128_summary,
)
from tests.music_bed import music_bed
from tests.signals import synthetic_speech as speech_like

pytestmark = pytest.mark.ffmpeg
FFMPEG = imageio_ffmpeg.get_ffmpeg_exe()


def ebur128(path: Path) -> tuple[float, float]:
    """(integrated LUFS, true peak dBTP) by a different meter than the one under test."""
    done = subprocess.run(
        [FFMPEG, "-hide_banner", "-nostdin", "-i", str(path), "-map", "0:a:0",
         "-af", "ebur128=peak=true", "-f", "null", "-"],
        capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    summary = done.stderr[done.stderr.rindex("Summary:") :]
    integrated = float(re.search(r"I:\s+(-?[\d.]+) LUFS", summary)[1])  # type: ignore[index]
    peak = float(re.search(r"Peak:\s+(-?[\d.]+) dBFS", summary)[1])  # type: ignore[index]
    return integrated, peak


@pytest.fixture(scope="module")
def quiet_mix(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Voice over a music bed, 8 s, well below any target (about -30 LUFS)."""
    seconds = 8.0
    voice = speech_like(seconds, seed=5)
    music = music_bed(seconds).mean(axis=1)
    mix = 0.12 * voice + 0.03 * music
    path = tmp_path_factory.mktemp("mix") / "mix.wav"
    write_wav(path, np.stack([mix, mix], axis=1))
    return path


@pytest.mark.parametrize(("target", "peak"), [(-14.0, -1.0), (-23.0, -2.0)])
def test_normalised_within_one_lu_of_target(
    tmp_path: Path, quiet_mix: Path, target: float, peak: float
) -> None:
    before, _ = ebur128(quiet_mix)
    assert before < target - 5  # the test means something: there is a real gap to close
    out = tmp_path / "norm.wav"
    measured = normalise_loudness(
        quiet_mix, out, target_lufs=target, true_peak_db=peak, duration_ms=8000
    )
    assert abs(measured.integrated_lufs - before) < 1.0  # pass one agrees with ebur128
    after, true_peak = ebur128(out)
    assert abs(after - target) <= 1.0
    assert true_peak <= peak + 0.5
    again = measure_loudness(out)
    assert abs(again.integrated_lufs - after) < 0.5


def test_silence_is_left_alone(tmp_path: Path) -> None:
    src = tmp_path / "silence.wav"
    write_wav(src, np.zeros(48000 * 2))
    measured = normalise_loudness(
        src, tmp_path / "out.wav", target_lufs=-14, true_peak_db=-1, duration_ms=2000
    )
    assert measured.silent
    with wave.open(str(tmp_path / "out.wav")) as w:
        assert w.getnframes() == 96000
        assert not any(w.readframes(96000))  # still silence, no gain pumped into noise


def test_measuring_a_file_without_audio_fails_clearly(tmp_path: Path) -> None:
    src = tmp_path / "v.mp4"
    subprocess.run(
        [FFMPEG, "-v", "error", "-f", "lavfi", "-i", "testsrc2=s=64x64:d=0.3", str(src)],
        check=True, timeout=60,
    )  # fmt: skip
    with pytest.raises(RenderFailed, match="loudness: FFmpeg exited"):
        measure_loudness(src)


def test_report_parsing() -> None:
    stderr = """[Parsed_ebur128_0 @ 0x1] Summary:

  Integrated loudness:
    I:         -27.6 LUFS
    Threshold: -39.2 LUFS

  Loudness range:
    LRA:        18.1 LU
    Threshold: -50.0 LUFS
    LRA low:   -40.0 LUFS
    LRA high:  -21.9 LUFS

  True peak:
    Peak:       -4.5 dBFS
"""
    m = parse_ebur128_summary(stderr)
    assert (m.integrated_lufs, m.true_peak_db, m.lra_lu, m.threshold_lufs) == (
        -27.6, -4.5, 18.1, -39.2,
    )  # fmt: skip
    assert parse_ebur128_summary(stderr.replace("-27.6 LUFS", "-70.0 LUFS")).silent
    with pytest.raises(RenderFailed, match="no ebur128 summary"):
        parse_ebur128_summary("nothing here")


def test_normalising_filter_is_a_gain_unless_the_peak_would_clip() -> None:
    quiet = LoudnessMeasurement(-30.0, -20.0, 5.0, -40.0)  # +16 dB peaks at -4 dBTP
    assert normalising_filter(quiet, -14.0, -1.0) == "volume=16.000dB"
    peaky = LoudnessMeasurement(-30.0, -6.0, 5.0, -40.0)  # +16 dB would peak at +10 dBTP
    assert normalising_filter(peaky, -14.0, -1.0).startswith("loudnorm=I=-14.0:TP=-1.0")
    assert normalising_filter(LoudnessMeasurement(-80.0, -90.0, 0.0, -90.0), -14, -1) == "anull"
