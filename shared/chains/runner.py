"""Run a capability's ordered links: skip the unavailable and the failing, say why, in one warning.

Pure policy: the order, the skip reasons and the warning. Links do their own I/O behind
``run``; a link that fails for an expected reason (timeout, rate limit after retries, 5xx, an
answer that fails the schema) raises ``LinkFailed`` with words a person understands. With a
deadline, each link but the last runs in a worker thread and is abandoned when the time is up
(its own client timeout ends the thread soon after), so a slow provider never holds the caller.
The last link (the offline one) always runs, inline, whatever time is left.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from typing import Generic, TypeVar

from shared.errors import TransientError

log = logging.getLogger(__name__)

In = TypeVar("In")
Out = TypeVar("Out")


class LinkFailed(Exception):
    """A link could not answer; ``reason`` ends up in the chain's warning."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class ChainExhausted(TransientError):
    """Every link, the last included, was skipped or failed (a bug or invalid input)."""


@dataclass(frozen=True)
class Link(Generic[In, Out]):
    """One way to make the capability's output.

    ``unavailable`` says why the link cannot be tried now (``None``: it can); ``credit`` is how
    the warning ends when this link answered ("written by the offline template writer").
    """

    name: str
    run: Callable[[In], Out]
    unavailable: Callable[[], str | None] = lambda: None
    credit: str = ""

    def credit_line(self) -> str:
        return self.credit or f"made by {self.name}"


@dataclass(frozen=True)
class Skip:
    link: str
    reason: str

    def __str__(self) -> str:
        return f"{self.link}: {self.reason}"


@dataclass(frozen=True)
class ChainResult(Generic[Out]):
    value: Out
    made_by: str
    skipped: tuple[Skip, ...]
    warning: str | None  # None when the first link answered


def _warning(capability: str, skipped: Sequence[Skip], winner: Link[In, Out]) -> str | None:
    if not skipped:
        return None
    return "; ".join([f"{capability}: {skipped[0]}", *map(str, skipped[1:]), winner.credit_line()])


def _run_before(link: Link[In, Out], request: In, seconds: float) -> Out:
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"chain-{link.name}")
    try:
        future = pool.submit(link.run, request)
        try:
            return future.result(timeout=seconds)
        except FutureTimeout:
            future.cancel()
            raise LinkFailed(f"no answer within the {seconds:.1f} s left") from None
    finally:
        pool.shutdown(wait=False)


def run_chain(
    capability: str,
    links: Sequence[Link[In, Out]],
    request: In,
    *,
    deadline_s: float | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> ChainResult[Out]:
    """The first available link's answer, with every skipped link and why.

    Raises:
        ChainExhausted: no link answered (the last one should never fail for valid input).
    """
    if not links:
        raise ValueError("a chain needs at least one link")
    ends_at = None if deadline_s is None else clock() + deadline_s
    skipped: list[Skip] = []
    for index, link in enumerate(links):
        last = index == len(links) - 1
        reason = link.unavailable()
        if reason is not None:
            skipped.append(Skip(link.name, reason))
            continue
        left = None if ends_at is None or last else ends_at - clock()
        if left is not None and left <= 0:
            skipped.append(Skip(link.name, f"not tried: the {deadline_s:g} s deadline had passed"))
            continue
        try:
            value = link.run(request) if left is None else _run_before(link, request, left)
        except LinkFailed as failure:
            log.warning(
                "chain link failed",
                extra={"capability": capability, "link": link.name, "reason": failure.reason},
            )
            skipped.append(Skip(link.name, failure.reason))
            continue
        return ChainResult(value, link.name, tuple(skipped), _warning(capability, skipped, link))
    raise ChainExhausted(
        f"{capability}: no way to make it answered ({'; '.join(map(str, skipped))})"
    )
