"""Write a bed fitted to its plan (shared/music/fit.py), one block at a time."""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np

from shared.music.fit import FitPlan, Segment
from shared.music.pcm import CHANNELS, read_block, wav_writer, write_block

BLOCK_FRAMES = 1 << 16


def _gain(segment: Segment, crossfade: int, first: int, count: int) -> np.ndarray:
    """The segment's envelope over its relative frames ``first .. first + count``."""
    r = np.arange(first, first + count, dtype=np.float32)
    gain = np.ones(count, dtype=np.float32)
    if segment.fade_in:
        rising = r < segment.fade_in
        gain[rising] = np.sin(0.5 * np.pi * r[rising] / segment.fade_in)
    if segment.fade_out_from is not None and crossfade:
        falling = r >= segment.fade_out_from
        done = np.minimum((r[falling] - segment.fade_out_from) / crossfade, 1.0)
        gain[falling] *= np.cos(0.5 * np.pi * done)
    return gain


def _tail(plan: FitPlan, start: int, count: int) -> np.ndarray:
    left = plan.frames - np.arange(start, start + count, dtype=np.float32)
    return np.clip(left / max(plan.tail, 1), 0.0, 1.0) if plan.tail else np.ones(count)


def write_fitted(source: Path, plan: FitPlan, dest: Path) -> Path:
    """``source`` (16-bit WAV at the plan's rate) laid out as ``plan`` says, as stereo WAV."""
    with wave.open(str(source), "rb") as bed, wav_writer(dest, bed.getframerate()) as out:
        for start in range(0, plan.frames, BLOCK_FRAMES):
            end = min(start + BLOCK_FRAMES, plan.frames)
            block = np.zeros((end - start, CHANNELS), dtype=np.float32)
            for segment in plan.segments:
                lo, hi = max(start, segment.out_start), min(end, segment.out_end)
                if lo >= hi:
                    continue
                first = lo - segment.out_start
                audio = read_block(bed, segment.source_start + first, hi - lo)
                gain = _gain(segment, plan.crossfade, first, len(audio))
                block[lo - start : lo - start + len(audio)] += audio * gain[:, None]
            write_block(out, block * _tail(plan, start, end - start)[:, None])
    return dest
