"""Frame-accurate placement of clips, transitions and timed items on the output timeline.

Every boundary is computed from milliseconds once and rounded to a frame, so the single-pass
render and every segment of a segmented render agree on each frame.
"""

from __future__ import annotations

from dataclasses import dataclass

from shared.timeline import Timeline, TransitionType


def ms_to_frame(ms: int, fps: int) -> int:
    """The frame that starts at or nearest to ``ms`` (ties round up), in exact integers."""
    return (2 * ms * fps + 1000) // 2000


def frame_to_seconds(frame: int, fps: int) -> str:
    """A frame's start time as FFmpeg reads it (seconds, microsecond precision)."""
    return f"{frame / fps:.6f}"


@dataclass(frozen=True)
class ClipSpan:
    """Where clip ``index`` sits on the output: frames [start, end); ``overlap_in`` shared with
    the previous clip by the transition into this one."""

    index: int
    start: int
    end: int
    overlap_in: int
    transition_in: TransitionType

    @property
    def frames(self) -> int:
        return self.end - self.start


def clip_spans(timeline: Timeline) -> tuple[ClipSpan, ...]:
    fps = timeline.format.fps
    spans: list[ClipSpan] = []
    start_ms = 0
    prev_end = 0
    for i, clip in enumerate(timeline.video):
        start = ms_to_frame(start_ms, fps)
        end = ms_to_frame(start_ms + clip.duration_ms, fps)
        into = timeline.video[i - 1].transition.type if i else TransitionType.CUT
        spans.append(ClipSpan(i, start, end, prev_end - start if i else 0, into))
        prev_end = end
        start_ms += clip.duration_ms - clip.transition.duration_ms
    return tuple(spans)


def total_frames(timeline: Timeline) -> int:
    return ms_to_frame(timeline.duration_ms, timeline.format.fps)


def frames_to_samples(frames: int, fps: int, sample_rate: int) -> int:
    """Audio samples covering ``frames`` video frames (exact for 24/25/30 fps at 48 kHz)."""
    return (2 * frames * sample_rate + fps) // (2 * fps)


@dataclass(frozen=True)
class FrameWindow:
    """A timed item in frames: shown on frames [start, end)."""

    start: int
    end: int


def ms_window(start_ms: int, end_ms: int, fps: int) -> FrameWindow:
    return FrameWindow(ms_to_frame(start_ms, fps), ms_to_frame(end_ms, fps))
