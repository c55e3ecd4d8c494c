"""Cuts on the beat: the timeline's photo clips lengthened or shortened so that every change of
picture lands on the music's beat grid (pure; the submission applies it when the music's tempo is
known: the tempo the made music is asked for, or the uploaded track's ``bpm``).

A cut's moment is the middle of its transition (a hard cut's own instant), moved to the nearest
beat. A video clip keeps its length (its frames are the source's): the cut after it stays where
it falls, and the next ones snap again. Texts move with the pictures they were placed on (each
time is carried through the same piecewise-linear map), so a title still covers its photo and the
call to action still ends with the video.
"""

from __future__ import annotations

import bisect
import math

from shared.timeline.model import MAX_PHOTO_MS, MIN_CLIP_MS, PhotoClip, TextOverlay, Timeline


def beat_ms(bpm: float) -> float:
    if not bpm > 0:
        raise ValueError(f"a tempo must be positive, not {bpm}")
    return 60_000.0 / bpm


def snap_cuts(timeline: Timeline, bpm: float) -> Timeline:
    """The timeline with each photo clip's cut (and the end, after a photo) on a beat."""
    beat = beat_ms(bpm)
    clips = timeline.video
    old_marks, new_marks = [0], [0]  # cut moments before and after, for moving the texts
    durations: list[int] = []
    start_old = start_new = 0  # where the clip begins, before and after
    for i, clip in enumerate(clips):
        into = clips[i - 1].transition.duration_ms if i else 0
        out = clip.transition.duration_ms if i < len(clips) - 1 else 0
        mark_old = start_old + clip.duration_ms - out + out // 2  # the cut after this clip
        if isinstance(clip, PhotoClip):
            shortest = max(MIN_CLIP_MS, into + out)
            offset = clip.duration_ms - out + out // 2  # from the clip's start to its cut
            n = round(mark_old / beat)
            while round(n * beat) - start_new - offset + clip.duration_ms < shortest:
                n += 1  # too short for its transitions: the next beat
            length = round(n * beat) - start_new - offset + clip.duration_ms
            length = min(length, MAX_PHOTO_MS)
        else:
            length = clip.duration_ms
        durations.append(length)
        mark_new = start_new + length - out + out // 2
        old_marks.append(mark_old)
        new_marks.append(mark_new)
        start_old += clip.duration_ms - out
        start_new += length - out
    video = tuple(
        c.model_copy(update={"duration_ms": d}) for c, d in zip(clips, durations, strict=True)
    )
    snapped = timeline.model_copy(update={"video": video})
    moved = tuple(_moved(t, old_marks, new_marks, snapped.duration_ms) for t in timeline.texts)
    # Re-validated as a whole: the snap must leave a timeline the schema accepts.
    return Timeline.model_validate(snapped.model_copy(update={"texts": moved}).model_dump())


def _carried(t: int, old: list[int], new: list[int]) -> int:
    """``t`` through the map that takes each old cut moment to its new one (linear between)."""
    i = min(max(bisect.bisect_right(old, t) - 1, 0), len(old) - 2)
    span_old = old[i + 1] - old[i]
    if span_old <= 0:
        return new[i]
    return round(new[i] + (t - old[i]) * (new[i + 1] - new[i]) / span_old)


def _moved(text: TextOverlay, old: list[int], new: list[int], total: int) -> TextOverlay:
    start = min(_carried(text.start_ms, old, new), total - 1)
    end = min(max(_carried(text.end_ms, old, new), start + 1), total)
    shown = end - start
    fades = text.fade_in_ms + text.fade_out_ms
    scale = 1.0 if fades <= shown else shown / fades
    return text.model_copy(
        update={
            "start_ms": start,
            "end_ms": end,
            "fade_in_ms": math.floor(text.fade_in_ms * scale),
            "fade_out_ms": math.floor(text.fade_out_ms * scale),
        }
    )
