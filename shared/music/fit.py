"""How a music bed becomes exactly the ad's length (pure, no I/O): loops and cuts on bar lines.

The bed plays from its start; when more is needed it loops back on a bar line (skipping an intro
bar when the bed has enough of them), and every loop point is an equal-power crossfade that
starts on the bar line, so the downbeats of both sides land together. The last segment is cut at
the target, and the whole ends with a short fade to silence exactly at the target frame.
The bed's first bar is assumed to start at its first frame, at the tempo it was asked for.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from shared.music.brief import BEATS_PER_BAR


@dataclass(frozen=True)
class Segment:
    """``frames`` of the bed from ``source_start``, played from output frame ``out_start``."""

    source_start: int
    out_start: int
    frames: int
    fade_in: int  # frames of crossfade-in at its start (0: none)
    fade_out_from: int | None  # where (relative) its crossfade-out starts; None: it does not

    @property
    def out_end(self) -> int:
        return self.out_start + self.frames


@dataclass(frozen=True)
class FitPlan:
    segments: tuple[Segment, ...]
    frames: int  # the output's length: the target, exactly
    crossfade: int
    tail: int  # the fade to silence over the last ``tail`` frames


def bar_frames(bpm: float, rate: int, beats_per_bar: int = BEATS_PER_BAR) -> float:
    return beats_per_bar * 60.0 * rate / bpm


def beat_times(bpm: float, duration_ms: int) -> tuple[int, ...]:
    """Every beat from 0 up to (not including) ``duration_ms``, in whole milliseconds."""
    if bpm <= 0:
        raise ValueError(f"a tempo must be positive, not {bpm}")
    beat_ms = 60_000.0 / bpm
    return tuple(round(n * beat_ms) for n in range(math.ceil(duration_ms / beat_ms)))


def fit_plan(
    source_frames: int, bar: float, target_frames: int, *, crossfade: int, tail: int
) -> FitPlan:
    """The segments that fill ``target_frames`` from a bed of ``source_frames``.

    Raises:
        ValueError: a bed too short to loop (under two crossfades), or an empty target.
    """
    if target_frames <= 0 or bar <= 0:
        raise ValueError("the target and the bar length must be positive")
    tail = min(tail, target_frames)
    if source_frames >= target_frames:
        return FitPlan((Segment(0, 0, target_frames, 0, None),), target_frames, crossfade, tail)
    if source_frames <= 2 * crossfade:
        raise ValueError(f"a bed of {source_frames} frames is too short to loop")
    # One frame of margin: a bar line is rounded, its crossfade tail must stay inside the bed.
    bars = math.floor((source_frames - crossfade - 1) / bar)
    if bars < 1:  # shorter than a bar: loop the whole bed, its length standing in for a bar
        bar, bars = float(source_frames - crossfade - 1), 1
    loop_from = 1 if bars >= 4 else 0

    def line(n: float) -> int:
        return round(n * bar)

    segments: list[Segment] = []
    played = 0  # output bars so far
    first_bar = 0
    while line(played) < target_frames:
        out_start = line(played)
        played += bars - first_bar
        out_end = min(line(played) + crossfade, target_frames)
        fades_out = line(played) < target_frames
        segments.append(
            Segment(
                source_start=line(first_bar), out_start=out_start, frames=out_end - out_start,
                fade_in=crossfade if segments else 0,
                fade_out_from=line(played) - out_start if fades_out else None,
            )
        )  # fmt: skip
        first_bar = loop_from
    return FitPlan(tuple(segments), target_frames, crossfade, tail)
