"""Sanity checks on a rendered MP4 so that a broken graph cannot win the benchmark (after the
team's bench/check_output.py): duration, size, fps, decoded frame count, an AAC stream, and
motion (mean absolute luma change 0.2 s apart in the middle of clips; a still scores ~0)."""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass

import numpy as np
import spec as sp

SW, SH = 480, 270  # analysis size


@dataclass(frozen=True)
class Check:
    duration_s: float
    frames: int
    expected_frames: int
    motion: float
    ok: bool
    why: str


def _probe(ffmpeg: str, path: str) -> dict[str, float | str]:
    err = subprocess.run([ffmpeg, "-hide_banner", "-i", path], capture_output=True, text=True)
    info: dict[str, float | str] = {}
    if m := re.search(r"Duration: (\d+):(\d+):([\d.]+)", err.stderr):
        info["duration"] = int(m[1]) * 3600 + int(m[2]) * 60 + float(m[3])
    if m := re.search(r"Video: (\w+).*?, (\d{2,5})x(\d{2,5})[ ,].*?([\d.]+) fps", err.stderr):
        info.update(width=int(m[2]), height=int(m[3]), fps=float(m[4]))
    if m := re.search(r"Audio: (\w+)", err.stderr):
        info["acodec"] = m[1]
    return info


def _count_frames(ffmpeg: str, path: str) -> int:
    cmd = [ffmpeg, "-hide_banner", "-nostdin", "-i", path, "-map", "0:v:0", "-f", "null", "-"]
    err = subprocess.run(cmd, capture_output=True, text=True).stderr
    found = re.findall(r"frame=\s*(\d+)", err)
    return int(found[-1]) if found else -1


def _luma_at(ffmpeg: str, path: str, frames: list[int]) -> np.ndarray:
    sel = "+".join(f"eq(n\\,{n})" for n in frames)
    vf = f"select={sel},scale={SW}:{SH}:flags=area,format=gray"
    cmd = [ffmpeg, "-hide_banner", "-nostdin", "-v", "error", "-i", path, "-vf", vf]
    cmd += ["-fps_mode", "passthrough", "-f", "rawvideo", "-"]
    out = subprocess.run(cmd, capture_output=True, check=True).stdout
    return np.frombuffer(out, dtype=np.uint8).reshape(-1, SH, SW).astype(np.float32)


def check(ffmpeg: str, path: str, spec: sp.Spec) -> Check:
    info = _probe(ffmpeg, path)
    frames = _count_frames(ffmpeg, path)
    expected = sp.total_frames(spec)
    fps = spec["fps"]
    starts = sp.clip_starts(spec)
    mids = [int(round((s + 1.0) * fps)) for s in starts[:: max(1, len(starts) // 5)]][:5]
    picks = sorted({m for m in mids} | {m + int(0.2 * fps) for m in mids})
    luma = _luma_at(ffmpeg, path, picks)
    motion = 0.0
    if len(luma) == len(picks):
        at = {n: k for k, n in enumerate(picks)}
        motion = min(
            float(np.mean(np.abs(luma[at[m + int(0.2 * fps)]] - luma[at[m]]))) for m in mids
        )
    problems = []
    duration = float(info.get("duration", 0.0))
    if abs(duration - sp.total_duration(spec)) > 1.5 / fps:
        problems.append(f"duration {duration:.3f} s")
    if (info.get("width"), info.get("height")) != (spec["width"], spec["height"]):
        problems.append(f"size {info.get('width')}x{info.get('height')}")
    if abs(float(info.get("fps", 0)) - fps) > 0.01:
        problems.append(f"fps {info.get('fps')}")
    if abs(frames - expected) > 1:
        problems.append(f"{frames} frames, expected {expected}")
    if info.get("acodec") != "aac":
        problems.append("no AAC audio")
    if motion <= 0.5:
        problems.append(f"no motion ({motion:.2f})")
    return Check(duration, frames, expected, motion, not problems, "; ".join(problems))
