"""The music's pure parts: what a prompt asks for, the fit plan (bar lines, crossfades, the exact
end) and the beat grid."""

from __future__ import annotations

import pytest

from shared.music.brief import MAX_BPM, Mood, read_brief
from shared.music.fit import bar_frames, beat_times, fit_plan

BAR = 1000.0  # frames
XF, TAIL = 40, 100


@pytest.mark.parametrize(
    ("prompt", "bpm", "mood"),
    [
        ("upbeat corporate, 124 bpm", 124, Mood.BRIGHT),
        ("a fast warm acoustic track", 135, Mood.WARM),
        ("calm ambient spa", 76, Mood.CALM),
        ("very slow and sad piano", 62, Mood.SAD),
        ("hyper 900 BPM", MAX_BPM, Mood.WARM),
        ("", 96, Mood.WARM),
    ],
)
def test_the_tempo_and_mood_come_from_the_prompt(prompt: str, bpm: int, mood: Mood) -> None:
    brief = read_brief(prompt)
    assert (brief.bpm, brief.mood) == (bpm, mood)
    assert read_brief(prompt) == brief  # the same prompt, the same music


def test_the_key_is_read_only_when_named() -> None:
    named = read_brief("dark cinematic in F# minor")
    assert (named.root, named.minor, named.key_name) == (6, True, "F# minor")
    assert read_brief("music in a cafe").minor is False  # "in a" is not A major or minor
    assert read_brief("sad strings").minor is True  # a minor mood picks a minor key


def test_a_bed_longer_than_the_ad_is_cut_at_the_target() -> None:
    plan = fit_plan(10_000, BAR, 2_500, crossfade=XF, tail=TAIL)
    ((segment,),) = (plan.segments,)
    assert (segment.source_start, segment.out_start, segment.frames) == (0, 0, 2_500)
    assert plan.frames == 2_500 and plan.tail == TAIL


def test_loops_start_and_cross_on_bar_lines_and_end_exactly_at_the_target() -> None:
    target = 23_456
    plan = fit_plan(6_000, BAR, target, crossfade=XF, tail=TAIL)
    first, *loops = plan.segments
    assert first.source_start == 0 and first.fade_in == 0
    covered = 0
    for before, after in zip(plan.segments, plan.segments[1:], strict=False):
        assert after.out_start % BAR == 0  # every loop point is on the output's bar grid
        assert after.source_start % BAR == 0  # ... and on one of the bed's bar lines
        assert before.fade_out_from is not None
        assert before.out_start + before.fade_out_from == after.out_start  # the crossfade starts
        assert before.out_end == after.out_start + XF  # ... on the bar line and lasts XF
        assert after.fade_in == XF
    for segment in plan.segments:
        assert segment.source_start + segment.frames <= 6_000  # never reads past the bed
        assert segment.out_start <= covered  # no gap
        covered = max(covered, segment.out_end)
    assert covered == target and plan.segments[-1].out_end == target
    assert plan.segments[-1].fade_out_from is None  # the tail fade ends it, not a crossfade
    assert all(s.source_start == 1_000 for s in loops)  # repeats skip the intro bar


def test_a_bed_under_a_bar_loops_whole_and_a_tiny_one_is_refused() -> None:
    plan = fit_plan(700, BAR, 3_000, crossfade=XF, tail=TAIL)
    assert plan.segments[-1].out_end == 3_000 and len(plan.segments) > 3
    with pytest.raises(ValueError, match="too short"):
        fit_plan(60, BAR, 3_000, crossfade=XF, tail=TAIL)


def test_beat_times_and_bar_length() -> None:
    assert beat_times(120, 2_000) == (0, 500, 1000, 1500)
    assert beat_times(90, 2_001)[-1] == 2000 and len(beat_times(90, 2_001)) == 4
    assert bar_frames(120, 48_000) == 96_000.0
    with pytest.raises(ValueError):
        beat_times(0, 1000)
