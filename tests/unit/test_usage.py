"""Daily allowances of paid calls: counted per user and UTC day, refused in words when over."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from shared.usage import Allowance
from tests.pipeline_fakes import InMemoryUsageMeter

NIGHT = datetime(2026, 12, 3, 23, 59, tzinfo=UTC)


def test_an_allowance_counts_until_its_limit_then_says_why_and_counts_nothing() -> None:
    now = [NIGHT]
    meter = InMemoryUsageMeter()
    tts = Allowance(meter, "alice", "tts", "characters", 100, clock=lambda: now[0])
    assert tts.take(60) is None and tts.take(40) is None
    assert tts.take(1) == (
        "your daily allowance of 100 characters is used up (100 used today, 1 more asked)"
    )
    assert Allowance(meter, "bob", "tts", "characters", 100).take(100) is None  # per user
    now[0] = NIGHT + timedelta(minutes=1)  # a new UTC day
    assert tts.take(100) is None


def test_a_zero_limit_turns_the_paid_call_off() -> None:
    off = Allowance(InMemoryUsageMeter(), "alice", "veo-seconds", "seconds of Veo video", 0)
    assert off.take(4) == "turned off here (a daily allowance of 0 seconds of Veo video)"
