"""Cuts on the beat (shared/timeline/beats.py, pure): every photo's cut on the grid, video clips
untouched, transitions kept whole, texts carried with their pictures; and the submission's rule of
which tempo applies."""

from __future__ import annotations

from typing import Any

import pytest

from shared.errors import InvalidRequest
from shared.pipeline.made_tracks import MusicOptions
from shared.pipeline.services import on_the_beat
from shared.timeline.beats import snap_cuts
from shared.timeline.model import MIN_CLIP_MS, Timeline

BPM = 96.0  # a beat every 625 ms


def timeline(clips: list[dict[str, Any]], **more: Any) -> Timeline:
    return Timeline.model_validate({"video": clips, **more})


def photo(ms: int, transition: int = 0) -> dict[str, Any]:
    clip: dict[str, Any] = {"kind": "photo", "source": "p.jpg", "duration_ms": ms}
    if transition:
        clip["transition"] = {"type": "dissolve", "duration_ms": transition}
    return clip


def cut_moments(t: Timeline) -> list[float]:
    """The middle of each transition (a hard cut's instant) and the end."""
    moments, start = [], 0
    for i, clip in enumerate(t.video):
        out = clip.transition.duration_ms if i < len(t.video) - 1 else 0
        moments.append(start + clip.duration_ms - out + out // 2)
        start += clip.duration_ms - out
    return moments


def on_grid(ms: float, bpm: float = BPM) -> bool:
    beat = 60_000 / bpm
    return abs(ms - round(ms / beat) * beat) <= 0.5


def test_every_cut_and_the_end_land_on_a_beat() -> None:
    t = timeline([photo(2300), photo(3100, 500), photo(1900), photo(4200, 700), photo(2600)])
    snapped = snap_cuts(t, BPM)
    assert all(on_grid(m) for m in cut_moments(snapped)), cut_moments(snapped)
    # The nearest beat: no cut moves by more than half a beat.
    for before, after in zip(cut_moments(t), cut_moments(snapped), strict=True):
        assert abs(before - after) <= 625 / 2 + 1
    assert [c.transition for c in snapped.video] == [c.transition for c in t.video]


def test_a_video_clip_keeps_its_length_and_the_next_cuts_snap_again() -> None:
    video = {"kind": "video", "source": "v.mp4", "duration_ms": 2222, "trim_start_ms": 300}
    t = timeline([photo(2300), video, photo(3000), photo(2000)])
    snapped = snap_cuts(t, BPM)
    assert snapped.video[1] == t.video[1]
    moments = cut_moments(snapped)
    assert on_grid(moments[0]) and not on_grid(moments[1])
    assert on_grid(moments[2]) and on_grid(moments[3])


def test_a_clip_too_short_for_its_beat_takes_the_next_one() -> None:
    # 300 ms from the nearest earlier beat would leave the clip under the 500 ms minimum.
    t = timeline([photo(1300), photo(MIN_CLIP_MS + 100), photo(2000)])
    snapped = snap_cuts(t, 240.0)  # a beat every 250 ms
    assert all(c.duration_ms >= MIN_CLIP_MS for c in snapped.video)
    assert all(on_grid(m, 240.0) for m in cut_moments(snapped))


def test_texts_move_with_their_pictures_and_stay_inside_the_video() -> None:
    texts = [
        {"role": "title", "text": "Harbor Bakery", "start_ms": 0, "end_ms": 2300},
        {"role": "cta", "text": "Order today", "start_ms": 4400, "end_ms": 6700},
    ]
    t = timeline([photo(2300), photo(2100), photo(2300)], texts=texts)
    snapped = snap_cuts(t, BPM)
    first_cut = cut_moments(snapped)[0]
    title, cta = snapped.texts
    assert (title.start_ms, title.end_ms) == (0, first_cut)  # still exactly over photo 1
    assert cta.end_ms == snapped.duration_ms  # still ends with the video
    assert cta.text == "Order today"


def test_a_timeline_already_on_the_beat_is_unchanged() -> None:
    t = timeline([photo(2500), photo(1875), photo(3125)])
    assert snap_cuts(t, BPM) == t


@pytest.mark.parametrize("bpm", [0.0, -96.0])
def test_a_tempo_must_be_positive(bpm: float) -> None:
    with pytest.raises(ValueError, match="positive"):
        snap_cuts(timeline([photo(2000)]), bpm)


def test_the_tempo_comes_from_the_uploaded_track_or_the_made_musics_prompt() -> None:
    clips = [photo(2300), photo(3100)]
    music = {"source": "m.wav", "bpm": 120.0, "snap_cuts": True}
    uploaded = on_the_beat(timeline(clips, music=music), None)
    assert all(on_grid(m, 120.0) for m in cut_moments(uploaded))
    made = on_the_beat(timeline(clips), MusicOptions(prompt="calm ambient spa", snap_cuts=True))
    assert all(on_grid(m, 76.0) for m in cut_moments(made))  # the brief's calm tempo
    # Not asked: unchanged, whatever the music.
    assert on_the_beat(timeline(clips), MusicOptions(prompt="fast")) == timeline(clips)
    unsnapped = timeline(clips, music={"source": "m.wav", "bpm": 120.0})
    assert on_the_beat(unsnapped, None) == unsnapped


def test_snapping_an_uploaded_track_needs_its_tempo() -> None:
    with pytest.raises(ValueError, match="set bpm"):
        timeline([photo(2000)], music={"source": "m.wav", "snap_cuts": True})


def test_a_snap_the_schema_refuses_is_a_request_error_in_words() -> None:
    # 100 ms under the 3-hour limit, its nearest beat 369 ms over it.
    clips = [photo(300_000) for _ in range(35)] + [photo(299_900)]
    music = {"source": "m.wav", "bpm": 47.3317, "snap_cuts": True}
    t = timeline(clips, music=music, kind="long_form")
    with pytest.raises(InvalidRequest, match="cannot all move onto the beat"):
        on_the_beat(t, None)
