"""The in-process renderer's plan: which photos, windows, blends and texts make each frame.

Pure, like the compiler: a timeline and its prepared media in, a ``DrawnChunk`` out (or None
where the chunk needs FFmpeg: a video clip, or a transition drawn only by xfade). The drawer
(``frame_drawer``) turns it into frames; ``frame_at`` says what each frame is made of.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from shared.render.draw.blends import SLIDES, WIPES
from shared.render.graph import kenburns
from shared.render.graph.kenburns import KenBurnsPath, Window
from shared.render.graph.overlays import DrawnText
from shared.render.graph.plan import MediaInfo
from shared.render.graph.timing import ClipSpan, clip_spans
from shared.timeline import Fit, PhotoClip, Timeline, TransitionType

# Transitions the drawer makes itself: a cut, a fade (a per-pixel mix, plane by plane, as
# xfade's "fade"), the wipes and the slides (``blends``). Every other kind (through a colour,
# dissolve's noise, the shapes) leaves its chunk to the FFmpeg graph.
DRAWN_TRANSITIONS = frozenset({TransitionType.CUT, TransitionType.FADE}) | WIPES | SLIDES


@dataclass(frozen=True)
class DrawnClip:
    """One photo clip: where its prepared photo is, how it fits, how it moves, where it sits."""

    index: int
    path: str
    fit: Fit
    motion: KenBurnsPath | None  # None: a still
    span: ClipSpan

    @property
    def zoom(self) -> float:
        return kenburns.max_zoom(self.motion)

    def window(self, frame: int, cover_w: int, cover_h: int) -> Window:
        """The clip's window on its cover at output ``frame`` (which must be inside the clip)."""
        assert self.motion is not None
        return kenburns.exact_window(
            self.motion, frame - self.span.start, self.span.frames, cover_w, cover_h
        )


@dataclass(frozen=True)
class FrameParts:
    """Output frame = ``base``, or, while a transition into the next clip is under way, its
    overlap frame ``step`` of ``steps`` from ``base`` into ``incoming``; then the texts, each
    at its own opacity."""

    base: DrawnClip
    incoming: DrawnClip | None
    step: int
    steps: int
    texts: tuple[DrawnText, ...]

    @property
    def mix(self) -> float:
        """A fade's share of ``incoming``: xfade's progress runs from 1 down, the result is
        a * P + b * (1 - P)."""
        return self.step / self.steps if self.steps else 0.0


@dataclass(frozen=True)
class DrawnChunk:
    """Output frames [first, last) drawn in process: the clips they show and the texts."""

    first: int
    last: int
    size: tuple[int, int]
    clips: tuple[DrawnClip, ...]
    texts: tuple[DrawnText, ...]

    @property
    def frame_count(self) -> int:
        return self.last - self.first

    @property
    def text_files(self) -> dict[str, str]:
        return {name: body for t in self.texts for name, body in t.files.items()}


def drawable(timeline: Timeline, spans: tuple[ClipSpan, ...]) -> bool:
    """Whether the drawer can make these clips: photos only, joined by drawn transitions."""
    for pos, span in enumerate(spans):
        if not isinstance(timeline.video[span.index], PhotoClip):
            return False
        if pos and span.overlap_in and span.transition_in not in DRAWN_TRANSITIONS:
            return False
    return True


def drawable_frames(timeline: Timeline, frame_range: tuple[int, int]) -> bool:
    """Whether the drawer can make the clips showing on frames [first, last)."""
    first, last = frame_range
    return drawable(
        timeline, tuple(s for s in clip_spans(timeline) if s.start < last and s.end > first)
    )


def compile_drawn_chunk(
    timeline: Timeline,
    media: Mapping[str, MediaInfo],
    frame_range: tuple[int, int],
    size: tuple[int, int],
    texts: list[DrawnText],
) -> DrawnChunk | None:
    """Frames [first, last) as a DrawnChunk, or None if they need the FFmpeg graph.
    ``texts`` are every text of the render (``compiler._texts``): the visible ones are kept."""
    first, last = frame_range
    spans = tuple(s for s in clip_spans(timeline) if s.start < last and s.end > first)
    if not spans or not drawable(timeline, spans):
        return None
    clips = []
    for span in spans:
        clip = timeline.video[span.index]
        assert isinstance(clip, PhotoClip)  # drawable() checked
        motion = kenburns.resolve(clip.kenburns)
        clips.append(DrawnClip(span.index, media[clip.source].path, clip.fit, motion, span))
    shown = tuple(t for t in texts if t.window.start < last and t.window.end > first)
    return DrawnChunk(first, last, size, tuple(clips), shown)


def frame_at(chunk: DrawnChunk, frame: int) -> FrameParts:
    """What output ``frame`` (inside the chunk) is made of."""
    base = incoming = None
    for clip in chunk.clips:
        if clip.span.start <= frame < clip.span.end:
            if base is None:
                base = clip
            else:
                incoming = clip  # the next clip's transition overlaps the base's end
                break
    assert base is not None, f"frame {frame} is in no clip of the chunk"
    step = steps = 0
    if incoming is not None:
        if incoming.span.transition_in is TransitionType.CUT or not incoming.span.overlap_in:
            base, incoming = incoming, None  # a cut shows the new clip at once
        else:
            step, steps = frame - incoming.span.start, incoming.span.overlap_in
    texts = tuple(t for t in chunk.texts if t.window.start <= frame < t.window.end)
    return FrameParts(base, incoming, step, steps, texts)
