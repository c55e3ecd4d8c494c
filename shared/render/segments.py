"""Cut a timeline into segments that render independently and join without re-encoding. Pure.

A cut falls only where a clip ends (``timing.clip_spans``): a transition overlaps the end of the
clip it leaves, so cutting at that clip's end keeps every transition whole inside one segment (the
segment before the cut renders the start of the next clip for it). Each segment's ``key`` hashes
everything that decides its pixels, so a re-render after an edit re-uses every segment the edit did
not touch.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from shared.render.plan import EncoderSettings
from shared.render.timing import ClipSpan, clip_spans, total_frames
from shared.timeline.model import SCHEMA_VERSION, Timeline

# Bump when the meaning of a key changes (what it covers, how segments are encoded or cut), so no
# segment cached under the old meaning is ever re-used.
KEY_VERSION = 1


@dataclass(frozen=True)
class Segment:
    index: int
    frame_range: tuple[int, int]  # output frames [first, end)
    clip_indices: tuple[int, ...]  # clips with pixels in the range (both sides of a transition)
    key: str  # hex SHA-256 of what decides the segment's pixels

    @property
    def frame_count(self) -> int:
        return self.frame_range[1] - self.frame_range[0]


@dataclass(frozen=True)
class KeyContext:
    """What, beside the timeline, decides a segment's pixels."""

    media_hashes: Mapping[str, str]  # clip source -> content hash of the file it resolves to
    encoder: EncoderSettings
    render: str = ""  # render options and the compiler's version, as one stable string


def _pick_cuts(candidates: list[int], total: int, n: int) -> list[int]:
    """n - 1 of the candidate cut frames, each the nearest to an even share of the frames."""
    cuts: list[int] = []
    lo = 0
    for k in range(1, n):
        hi = len(candidates) - (n - 1 - k)  # leave one candidate for every later cut
        target = k * total / n
        best = min(range(lo, hi), key=lambda i: (abs(candidates[i] - target), i))
        cuts.append(candidates[best])
        lo = best + 1
    return cuts


def _canonical(data: Any) -> bytes:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


def _key(
    timeline: Timeline,
    frame_range: tuple[int, int],
    clips: tuple[int, ...],
    spans: tuple[ClipSpan, ...],
    context: KeyContext,
) -> str:
    fps = timeline.format.fps
    # A text is in range if any instant of it falls on one of the segment's frames; a frame of
    # margin either side keeps rounding of its fades from escaping the key.
    first_ms = (frame_range[0] - 1) * 1000 / fps
    end_ms = (frame_range[1] + 1) * 1000 / fps
    texts = [t for t in timeline.texts if t.start_ms < end_ms and t.end_ms > first_ms]
    clip_facts = []
    for i in clips:
        clip = timeline.video[i]
        if clip.source not in context.media_hashes:
            raise ValueError(f"video[{i}]: no content hash for its source {clip.source!r}")
        clip_facts.append(
            {
                "clip": clip.model_dump(mode="json"),
                "media": context.media_hashes[clip.source],
                "span": (spans[i].start, spans[i].end),
            }
        )
    captions = None
    if timeline.captions and timeline.captions.enabled and timeline.voice:
        # Caption cues are timed from the voice's script, word timings, offset and trim (and may
        # spread over its length), so all of it counts, whatever part of it lands in range.
        voice = timeline.voice
        captions = {
            "style": timeline.captions.model_dump(mode="json"),
            "voice": voice.model_dump(mode="json", exclude={"volume"}),
            "media": context.media_hashes.get(voice.source, ""),
        }
    facts = {
        "key_version": KEY_VERSION,
        "schema_version": SCHEMA_VERSION,
        "format": timeline.format.model_dump(mode="json"),
        "encoder": asdict(context.encoder),
        "render": context.render,
        "frame_range": frame_range,
        "clips": clip_facts,
        "texts": [t.model_dump(mode="json") for t in texts],
        "captions": captions,
    }
    return hashlib.sha256(_canonical(facts)).hexdigest()


def plan_segments(timeline: Timeline, n: int, context: KeyContext) -> list[Segment]:
    """At most ``n`` segments of about equal frame counts, cut only where a clip ends.

    ``n`` is clamped to [1, number of distinct clip ends inside the video + 1]: a timeline of one
    clip is one segment whatever is asked.
    """
    if n < 1:
        raise ValueError(f"segments: {n} is not a number of segments (need at least 1)")
    total = total_frames(timeline)
    spans = clip_spans(timeline)
    candidates = sorted({s.end for s in spans[:-1] if 0 < s.end < total})
    n = min(n, len(candidates) + 1)
    bounds = [0, *_pick_cuts(candidates, total, n), total]
    segments = []
    for index, frame_range in enumerate(zip(bounds, bounds[1:], strict=False)):
        clips = tuple(s.index for s in spans if s.start < frame_range[1] and s.end > frame_range[0])
        key = _key(timeline, frame_range, clips, spans, context)
        segments.append(Segment(index, frame_range, clips, key))
    return segments


def chunk_ranges(timeline: Timeline, clips_per_chunk: int) -> list[tuple[int, int]]:
    """Frame ranges of about ``clips_per_chunk`` clips each, cut where a clip ends (as segments
    are, so a transition lies whole inside one range): the chunks of a pipelined render."""
    if clips_per_chunk < 1:
        raise ValueError(f"clips_per_chunk: {clips_per_chunk} must be at least 1")
    total = total_frames(timeline)
    candidates = sorted({s.end for s in clip_spans(timeline)[:-1] if 0 < s.end < total})
    bounds = [0, *candidates[clips_per_chunk - 1 :: clips_per_chunk], total]
    return list(zip(bounds, bounds[1:], strict=False))
