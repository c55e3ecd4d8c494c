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

from shared.render.graph.plan import EncoderSettings, MediaInfo
from shared.render.graph.timing import clip_spans, total_frames
from shared.timeline.model import SCHEMA_VERSION, Timeline

# Bump when the meaning of a key changes (what it covers, how segments are encoded or cut), so no
# segment cached under the old meaning is ever re-used.
KEY_VERSION = 2


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
    voice_ms: int = 0  # the voice file's length: captions spread over it (0: no voice)


def voice_ms(timeline: Timeline, media: Mapping[str, MediaInfo]) -> int:
    """``KeyContext.voice_ms`` from the prepared media (0 when the voice is not among them)."""
    info = media.get(timeline.voice.source) if timeline.voice else None
    return info.duration_ms if info else 0


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
    timeline: Timeline, frame_range: tuple[int, int], clips: tuple[int, ...], context: KeyContext
) -> str:
    fps, spans = timeline.format.fps, clip_spans(timeline)
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
            # Its file by content, not by name: a made voice's name carries its job's id, and a
            # re-render of an edited timeline is a new job that must re-use the segments.
            "voice": voice.model_dump(mode="json", exclude={"volume", "source"}),
            # Its length, not its bytes: a voice made again for a re-render is the same speech
            # but not always the same samples, and the cues depend only on the timings.
            "voice_ms": context.voice_ms,
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


def segment_count(timeline: Timeline, segment_ms: int) -> int:
    """How many segments of about ``segment_ms`` the timeline is cut into (at least one)."""
    if segment_ms < 1:
        raise ValueError(f"segment_ms: {segment_ms} must be at least 1")
    return max(1, round(timeline.duration_ms / segment_ms))


def segment_ranges(timeline: Timeline, n: int) -> list[tuple[int, int]]:
    """The frame ranges of at most ``n`` segments of about equal frame counts, cut only where a
    clip ends. ``n`` is clamped to [1, number of distinct clip ends inside the video + 1]: a
    timeline of one clip is one segment whatever is asked."""
    if n < 1:
        raise ValueError(f"segments: {n} is not a number of segments (need at least 1)")
    total = total_frames(timeline)
    candidates = sorted({s.end for s in clip_spans(timeline)[:-1] if 0 < s.end < total})
    n = min(n, len(candidates) + 1)
    bounds = [0, *_pick_cuts(candidates, total, n), total]
    return list(zip(bounds, bounds[1:], strict=False))


def segment_clips(timeline: Timeline, frame_range: tuple[int, int]) -> tuple[int, ...]:
    """The clips with pixels in ``frame_range`` (both sides of a transition)."""
    spans = clip_spans(timeline)
    return tuple(s.index for s in spans if s.start < frame_range[1] and s.end > frame_range[0])


def segment_sources(timeline: Timeline, frame_range: tuple[int, int]) -> frozenset[str]:
    """The media a worker needs to render ``frame_range`` alone: its clips' sources, and the
    voice when captions are drawn (their cues are timed from the voice file's length)."""
    sources = {timeline.video[i].source for i in segment_clips(timeline, frame_range)}
    if timeline.captions and timeline.captions.enabled and timeline.voice:
        sources.add(timeline.voice.source)
    return frozenset(sources)


def segment(
    timeline: Timeline, index: int, frame_range: tuple[int, int], context: KeyContext
) -> Segment:
    """Segment ``index`` covering ``frame_range``, with its content key."""
    clips = segment_clips(timeline, frame_range)
    return Segment(index, frame_range, clips, _key(timeline, frame_range, clips, context))


def plan_segments(timeline: Timeline, n: int, context: KeyContext) -> list[Segment]:
    """At most ``n`` segments (``segment_ranges``), each with its content key."""
    return [segment(timeline, i, r, context) for i, r in enumerate(segment_ranges(timeline, n))]


def chunk_ranges(timeline: Timeline, clips_per_chunk: int) -> list[tuple[int, int]]:
    """Frame ranges of about ``clips_per_chunk`` clips each, cut where a clip ends (as segments
    are, so a transition lies whole inside one range): the chunks of a pipelined render."""
    if clips_per_chunk < 1:
        raise ValueError(f"clips_per_chunk: {clips_per_chunk} must be at least 1")
    total = total_frames(timeline)
    candidates = sorted({s.end for s in clip_spans(timeline)[:-1] if 0 < s.end < total})
    bounds = [0, *candidates[clips_per_chunk - 1 :: clips_per_chunk], total]
    return list(zip(bounds, bounds[1:], strict=False))
