"""The wall clock, in UTC: the default ``clock`` of everything that takes one (tests pass their
own)."""

from __future__ import annotations

from datetime import UTC, datetime


def utc_now() -> datetime:
    return datetime.now(UTC)
