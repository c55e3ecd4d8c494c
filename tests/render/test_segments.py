"""The segment planner: cuts only where clips end, transitions whole, keys that track content."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.render.graph.plan import EncoderSettings
from shared.render.graph.timing import clip_spans, total_frames
from shared.render.run.segments import KeyContext, plan_segments
from shared.timeline.model import Timeline

X264 = EncoderSettings("libx264", ("-preset", "veryfast", "-crf", "20"))


def make_timeline(durations: list[int], fades: list[int] | None = None, **extra: Any) -> Timeline:
    fades = fades or [0] * len(durations)
    video = []
    for i, (d, f) in enumerate(zip(durations, fades, strict=True)):
        transition = {"type": "fade", "duration_ms": f} if f else {"type": "cut"}
        video.append(
            {"kind": "photo", "source": f"p{i}.jpg", "duration_ms": d, "transition": transition}
        )
    kind = "ad" if len(video) <= 10 else "long_form"
    return Timeline.model_validate({"kind": kind, "video": video, **extra})


def context(timeline: Timeline, **over: Any) -> KeyContext:
    hashes = {c.source: f"hash-{c.source}" for c in timeline.video}
    return KeyContext(**{"media_hashes": hashes, "encoder": X264, "render": "v1", **over})


def test_one_segment_covers_everything() -> None:
    tl = make_timeline([3000] * 4, [500] * 3 + [0])
    (seg,) = plan_segments(tl, 1, context(tl))
    assert seg.frame_range == (0, total_frames(tl)) == (0, 315)
    assert seg.clip_indices == (0, 1, 2, 3)


def test_cuts_fall_at_clip_ends_and_share_the_frames() -> None:
    tl = make_timeline([3000] * 10)
    segs = plan_segments(tl, 2, context(tl))
    assert [s.frame_range for s in segs] == [(0, 450), (450, 900)]
    assert [s.clip_indices for s in segs] == [(0, 1, 2, 3, 4), (5, 6, 7, 8, 9)]
    assert len({s.key for s in segs}) == 2


def test_a_transition_across_the_cut_is_rendered_whole_by_one_segment() -> None:
    tl = make_timeline([3000] * 4, [500, 500, 500, 0])
    spans = clip_spans(tl)
    assert (spans[1].start, spans[1].end) == (75, 165)
    assert (spans[2].start, spans[2].end) == (150, 240)  # 0.5 s of overlap
    first, second = plan_segments(tl, 2, context(tl))
    # The cut is where clip 1 ends: the fade 1 -> 2 (frames 150..165) lies in the first segment,
    # which therefore renders the start of clip 2 as well.
    assert first.frame_range == (0, 165) and second.frame_range == (165, 315)
    assert first.clip_indices == (0, 1, 2)
    assert second.clip_indices == (2, 3)


def test_n_is_clamped_to_the_clip_count() -> None:
    tl = make_timeline([1000, 2000, 1000])
    segs = plan_segments(tl, 50, context(tl))
    assert [s.frame_range for s in segs] == [(0, 30), (30, 90), (90, 120)]
    assert [s.index for s in segs] == [0, 1, 2]
    single = make_timeline([5000])
    assert len(plan_segments(single, 8, context(single))) == 1


def test_zero_segments_is_refused() -> None:
    tl = make_timeline([1000, 1000])
    with pytest.raises(ValueError, match="at least 1"):
        plan_segments(tl, 0, context(tl))


def test_a_missing_media_hash_names_the_clip() -> None:
    tl = make_timeline([1000, 1000])
    with pytest.raises(ValueError, match=r"video\[1\].*p1\.jpg"):
        plan_segments(tl, 2, context(tl, media_hashes={"p0.jpg": "h"}))


def test_keys_are_deterministic() -> None:
    tl = make_timeline([3000] * 6, [500] * 5 + [0])
    again = Timeline.model_validate_json(tl.model_dump_json())
    assert plan_segments(tl, 3, context(tl)) == plan_segments(again, 3, context(again))


def keys(tl: Timeline, n: int = 3, **over: Any) -> list[str]:
    return [s.key for s in plan_segments(tl, n, context(tl, **over))]


def test_editing_one_clip_changes_only_its_segments_key() -> None:
    base = make_timeline([3000] * 6)
    doc = base.model_dump(mode="json")
    doc["video"][3]["kenburns"]["strength"] = 0.9
    edited = Timeline.model_validate(doc)
    before, after = keys(base), keys(edited)
    assert [b == a for b, a in zip(before, after, strict=True)] == [True, False, True]


def test_new_media_content_changes_only_the_segments_that_show_it() -> None:
    tl = make_timeline([3000] * 6, [500] * 5 + [0])
    hashes = {c.source: f"hash-{c.source}" for c in tl.video}
    changed = keys(tl, media_hashes={**hashes, "p0.jpg": "new"})
    assert [b == a for b, a in zip(keys(tl), changed, strict=True)] == [False, True, True]


def test_a_text_changes_only_the_segments_it_shows_in() -> None:
    text = {"text": "Hello", "start_ms": 200, "end_ms": 1500}
    tl = make_timeline([3000] * 6, texts=[text])
    moved = make_timeline([3000] * 6, texts=[{**text, "text": "Bye"}])
    assert [b == a for b, a in zip(keys(tl), keys(moved), strict=True)] == [False, True, True]


def test_format_encoder_and_compiler_version_change_every_key() -> None:
    tl = make_timeline([3000] * 6)
    base = keys(tl)
    other_encoder = EncoderSettings("libx264", ("-preset", "medium", "-crf", "20"))
    square = make_timeline([3000] * 6, format={"aspect": "1:1"})
    for changed in (keys(tl, encoder=other_encoder), keys(tl, render="v2"), keys(square)):
        assert not set(changed) & set(base)


def test_moving_a_clip_changes_the_keys_of_every_later_segment() -> None:
    tl = make_timeline([3000] * 6)
    longer = make_timeline([4000] + [3000] * 5)
    same = [b == a for b, a in zip(keys(tl, 2), keys(longer, 2), strict=True)]
    assert same == [False, False]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(1000, 9000), st.sampled_from([0, 0, 300, 500, 1000])),
        min_size=1,
        max_size=30,
    ),
    st.integers(1, 12),
    st.sampled_from([24, 25, 30]),
)
def test_segments_tile_the_video_and_never_split_a_transition(
    clips: list[tuple[int, int]], n: int, fps: int
) -> None:
    durations = [d for d, _ in clips]
    # Each transition at most half of either clip it joins, as the timeline requires.
    fades = [min(f, d // 2, nxt // 2) for (d, f), (nxt, _) in zip(clips, clips[1:], strict=False)]
    fades.append(0)
    tl = make_timeline(durations, fades, format={"fps": fps})
    segs = plan_segments(tl, n, context(tl))
    spans = [(s.start, s.end) for s in clip_spans(tl)]
    assert 1 <= len(segs) <= min(n, len(clips))
    assert segs[0].frame_range[0] == 0 and segs[-1].frame_range[1] == total_frames(tl)
    for a, b in zip(segs, segs[1:], strict=False):
        assert a.frame_range[1] == b.frame_range[0]
        assert b.frame_range[0] in {end for _, end in spans}  # cut only where a clip ends
    for seg in segs:
        assert seg.frame_count > 0
        first, end = seg.frame_range
        assert seg.clip_indices == tuple(
            i for i, (a, b) in enumerate(spans) if a < end and b > first
        )
    for i in range(len(spans) - 1):  # the overlap of clip i and i + 1 lies in one segment
        overlap = (spans[i + 1][0], spans[i][1])
        if overlap[0] < overlap[1]:
            assert any(
                s.frame_range[0] <= overlap[0] and overlap[1] <= s.frame_range[1] for s in segs
            )
