"""The chain runner with small fake links: order, skip reasons, the one warning, the deadline."""

from __future__ import annotations

import threading
import time

import pytest

from shared.chains import ChainExhausted, Link, LinkFailed, run_chain


def answers(value: str) -> Link[str, str]:
    return Link(name=value, run=lambda request: f"{value}:{request}", credit=f"made by {value}")


def fails(name: str, reason: str) -> Link[str, str]:
    def run(request: str) -> str:
        raise LinkFailed(reason)

    return Link(name=name, run=run)


def unavailable(name: str, reason: str) -> Link[str, str]:
    def run(request: str) -> str:
        raise AssertionError(f"{name} ran although unavailable")

    return Link(name=name, run=run, unavailable=lambda: reason)


def test_first_available_link_answers_without_warning() -> None:
    result = run_chain("script", [answers("A"), answers("B")], "brief")
    assert (result.value, result.made_by, result.skipped, result.warning) == (
        "A:brief",
        "A",
        (),
        None,
    )


def test_every_skipped_link_is_named_with_its_reason_in_one_warning() -> None:
    links = [
        unavailable("Ollama", "not on any online GPU box"),
        fails("Gemini", "answered HTTP 429 3 times"),
        answers("template"),
    ]
    result = run_chain("script", links, "brief")
    assert result.value == "template:brief" and result.made_by == "template"
    assert [(s.link, s.reason) for s in result.skipped] == [
        ("Ollama", "not on any online GPU box"),
        ("Gemini", "answered HTTP 429 3 times"),
    ]
    assert result.warning == (
        "script: Ollama: not on any online GPU box; Gemini: answered HTTP 429 3 times; "
        "made by template"
    )


def test_default_credit_names_the_link() -> None:
    last: Link[str, str] = Link(name="the composer", run=lambda request: request)
    result = run_chain("music", [fails("ACE-Step", "no box"), last], "x")
    assert result.warning == "music: ACE-Step: no box; made by the composer"


def test_unexpected_errors_are_not_swallowed() -> None:
    def broken(request: str) -> str:
        raise KeyError("a bug")

    with pytest.raises(KeyError):
        run_chain("script", [Link("A", broken), answers("B")], "x")


def test_no_link_answering_raises_with_every_reason() -> None:
    with pytest.raises(ChainExhausted) as raised:
        run_chain("voice", [unavailable("A", "no key"), fails("B", "broken")], "x")
    assert raised.value.message == "voice: no way to make it answered (A: no key; B: broken)"
    with pytest.raises(ValueError):
        run_chain("voice", [], "x")


def test_a_slow_link_is_abandoned_at_the_deadline_and_the_next_answers() -> None:
    release = threading.Event()

    def slow(request: str) -> str:
        release.wait(10)
        return "too late"

    started = time.monotonic()
    try:
        result = run_chain("script", [Link("Slow", slow), answers("B")], "x", deadline_s=0.3)
    finally:
        release.set()
    assert time.monotonic() - started < 2
    assert result.made_by == "B"
    assert result.skipped[0].link == "Slow"
    assert result.skipped[0].reason.startswith("no answer within the 0.")


def test_links_after_the_deadline_are_not_tried_but_the_last_always_runs() -> None:
    now = [0.0]

    def eats_the_time(request: str) -> str:
        now[0] += 10
        raise LinkFailed("timed out")

    links = [Link("A", eats_the_time), Link("B", lambda request: "B ran"), answers("C")]
    result = run_chain("script", links, "x", deadline_s=5, clock=lambda: now[0])
    assert result.made_by == "C"
    assert [str(s) for s in result.skipped] == [
        "A: timed out",
        "B: not tried: the 5 s deadline had passed",
    ]
