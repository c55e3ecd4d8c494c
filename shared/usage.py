"""Daily allowances of paid provider calls per user (ElevenLabs characters, Veo seconds, ...).

A paid link asks its allowance before it calls: over the day's limit, the link fails with the
reason and the chain goes on to its next link (so the person still gets a voice, with a warning
that says why it is not the paid one). A limit of 0 turns the paid call off for everyone.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from shared.clock import utc_now


class UsageMeter(Protocol):
    def take(self, uid: str, meter: str, amount: int, limit: int, now: datetime) -> int | None:
        """Count ``amount`` on ``uid``'s ``meter`` for today (UTC) if it fits under ``limit``:
        None; else what today's count is (and nothing is counted)."""
        ...


@dataclass(frozen=True)
class Allowance:
    meter: UsageMeter
    uid: str
    name: str  # the meter, e.g. "elevenlabs-characters"
    unit: str  # what is counted, in words: "characters", "seconds"
    limit: int
    clock: Callable[[], datetime] = utc_now

    def take(self, amount: int) -> str | None:
        """Count ``amount``; None if it fits, else the reason in words (nothing counted)."""
        if self.limit <= 0:
            return f"turned off here (a daily allowance of 0 {self.unit})"
        used = self.meter.take(self.uid, self.name, amount, self.limit, self.clock())
        if used is None:
            return None
        return (
            f"your daily allowance of {self.limit} {self.unit} is used up "
            f"({used} used today, {amount} more asked)"
        )
