"""Loudness: measure (EBU R128 integrated loudness, true peak) and two-pass normalise the mix.

Pass one measures the mix with ``loudnorm``'s analysis; pass two applies it with the measured
values, in linear mode where the true-peak limit allows (a plain gain: the mix keeps its
dynamics), so the result lands on the target instead of near it. The final MP4 is measured again
after the render, and that figure is what the job stores.
"""

from __future__ import annotations

import logging
import math
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import imageio_ffmpeg

from shared import processes
from shared.errors import RenderFailed
from shared.render.graph.plan import InputSpec, RenderPlan
from shared.render.media.probe import read_head, sniff_container
from shared.render.run.runner import CancelCheck, ProgressCallback, is_cancelled, run_plan

logger = logging.getLogger(__name__)

MEASURE_TIMEOUT_S = 600
SAMPLE_RATE = 48_000
# Quieter than this is silence: there is nothing to normalise.
SILENCE_LUFS = -70.0
# ebur128's summary, printed when the filter closes: integrated loudness and its gate, the
# loudness range, the true peak.
_SUMMARY = re.compile(
    r"Integrated loudness:\s*I:\s*(?P<i>\S+) LUFS\s*Threshold:\s*(?P<thresh>\S+) LUFS"
    r"\s*Loudness range:\s*LRA:\s*(?P<lra>\S+) LU.*?True peak:\s*Peak:\s*(?P<tp>\S+) dBFS",
    re.S,
)


@dataclass(frozen=True)
class LoudnessMeasurement:
    integrated_lufs: float  # -inf for silence
    true_peak_db: float  # dBTP
    lra_lu: float
    threshold_lufs: float

    @property
    def silent(self) -> bool:
        return not math.isfinite(self.integrated_lufs) or self.integrated_lufs <= SILENCE_LUFS


def _number(raw: object) -> float:
    return float(str(raw).strip())  # "-inf" and "inf" parse as floats


def parse_ebur128_summary(stderr: str) -> LoudnessMeasurement:
    """The measurement from ebur128's summary (with ``peak=true``) at the end of stderr."""
    found = list(_SUMMARY.finditer(stderr))
    if not found:
        raise RenderFailed("loudness: FFmpeg printed no ebur128 summary", stderr[-2000:])
    report = found[-1]
    return LoudnessMeasurement(
        integrated_lufs=_number(report["i"]),
        true_peak_db=_number(report["tp"]),
        lra_lu=_number(report["lra"]),
        threshold_lufs=_number(report["thresh"]),
    )


def measure_loudness(
    path: Path,
    *,
    ffmpeg: str | None = None,
    timeout_s: float = MEASURE_TIMEOUT_S,
    cancel: CancelCheck | None = None,
) -> LoudnessMeasurement:
    """Integrated loudness and true peak of the first audio stream of a local file.

    Raises:
        Cancelled: ``cancel`` was set (FFmpeg is stopped at once: a long mix takes a while).
    """
    ffmpeg = ffmpeg or imageio_ffmpeg.get_ffmpeg_exe()
    container = sniff_container(read_head(path))
    forced = ["-f", container] if container else []
    argv = [
        ffmpeg, "-hide_banner", "-nostdin", "-protocol_whitelist", "file", *forced,
        "-i", str(path), "-map", "0:a:0", "-vn",
        "-af", "ebur128=peak=true:framelog=quiet", "-f", "null", "-",
    ]  # fmt: skip
    try:
        done = processes.run(
            argv, timeout_s=timeout_s, cancelled=lambda: is_cancelled(cancel), text=True
        )
    except subprocess.TimeoutExpired as exc:
        raise RenderFailed(f"loudness: measuring took longer than {timeout_s:g} s") from exc
    if done.returncode != 0:
        raise RenderFailed(
            f"loudness: FFmpeg exited with code {done.returncode}",
            "\n".join(done.stderr.splitlines()[-20:]),
            done.returncode,
        )
    return parse_ebur128_summary(done.stderr)


def loudnorm_filter(measured: LoudnessMeasurement, target_lufs: float, true_peak_db: float) -> str:
    """Pass two of loudnorm in its dynamic mode, from pass one's measurement (numbers only:
    nothing user-written). Linear mode would only lower its gain to respect the peak and land
    short of the target (an espeak-ng voice over music came out 1.1 LU quiet)."""
    lra = min(50.0, max(7.0, math.ceil(measured.lra_lu + 1)))
    return (
        f"loudnorm=I={target_lufs:.1f}:TP={true_peak_db:.1f}:LRA={lra:.1f}"
        f":measured_I={measured.integrated_lufs:.2f}:measured_TP={measured.true_peak_db:.2f}"
        f":measured_LRA={measured.lra_lu:.2f}:measured_thresh={measured.threshold_lufs:.2f}"
        f":linear=false,aresample={SAMPLE_RATE}"
    )


def normalising_filter(
    measured: LoudnessMeasurement, target_lufs: float, true_peak_db: float
) -> str:
    """The filter taking the measured mix to the target: a plain gain (what loudnorm's linear
    mode applies) when the peak stays under the limit, else loudnorm's dynamic mode."""
    if measured.silent:
        return "anull"  # nothing to correct
    gain = target_lufs - measured.integrated_lufs
    if measured.true_peak_db + gain <= true_peak_db:
        return f"volume={gain:.3f}dB"
    if gain <= 12.0:
        # The gain, then a fast limiter on the few peaks it pushes over (a sample-peak limiter
        # set 1 dB under the true-peak ceiling): loudnorm's modes land short on short, peaky
        # mixes such as an espeak-ng voice over music.
        limit = 10 ** ((true_peak_db - 1.0) / 20)
        return f"volume={gain:.3f}dB,alimiter=limit={limit:.4f}:attack=1:release=50:level=disabled"
    return loudnorm_filter(measured, target_lufs, true_peak_db)


def normalise_loudness(
    src: Path,
    dst: Path,
    *,
    target_lufs: float,
    true_peak_db: float,
    duration_ms: int,
    progress: ProgressCallback | None = None,
    cancel: CancelCheck | None = None,
    work_dir: Path | None = None,
    ffmpeg: str | None = None,
) -> LoudnessMeasurement:
    """Write ``src`` (a WAV mix) to ``dst`` at the target loudness; returns pass one's figures.

    A silent mix is copied unchanged: there is no loudness to correct.
    """
    measured = measure_loudness(src, ffmpeg=ffmpeg, cancel=cancel)
    logger.info(
        "loudness measured",
        extra={"lufs": measured.integrated_lufs, "true_peak_db": measured.true_peak_db},
    )
    graph = f"[0:a]{normalising_filter(measured, target_lufs, true_peak_db)}[a]"
    plan = RenderPlan(
        inputs=(InputSpec(str(src.resolve()), ("-f", "wav")),),
        filter_graph=graph,
        output_args=("-map", "[a]", "-c:a", "pcm_s16le", "-ar", str(SAMPLE_RATE)),
        duration_ms=duration_ms,
        frame_count=0,
    )
    run_plan(
        plan,
        dst,
        progress=progress,
        step="Normalising loudness",
        cancel=cancel,
        work_dir=work_dir,
        ffmpeg=ffmpeg,
    )
    return measured
