"""Signing in, as a person meets it: a wrong password, throttling with its wait, and a session
that ends mid-work without losing the work."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import Studio
from tests.browser.helpers import end_sessions, open_editor, sign_in
from tests.integration.http_helpers import new_user
from tests.integration.pipeline_env import wait_for

pytestmark = [pytest.mark.browser, pytest.mark.emulator, pytest.mark.timeout(120)]

WRONG = "not the password at all, sorry"
BAD_CREDENTIALS = re.compile(r"(wrong|invalid|incorrect).*(name|password)", re.IGNORECASE)
# "try again in 15 minutes", "wait 14:59", "in 900 s": a number with its unit, or a clock.
A_WAIT = re.compile(r"\d+\s*(minutes?|mins?|seconds?|secs?|s)\b|\d+:\d\d", re.IGNORECASE)
FAILURES_BEFORE_THROTTLE = 5  # per user name (shared/auth/throttle.py)


def test_a_wrong_password_says_so_and_stays_on_sign_in(editor: Page) -> None:
    name = new_user("wrong")
    editor.goto("/")
    assert sign_in(editor, name, WRONG) == 401
    expect(editor.get_by_text(BAD_CREDENTIALS)).to_be_visible()
    expect(editor.get_by_label("Password", exact=True)).to_be_visible()
    expect(editor.get_by_role("button", name="Sign out")).to_have_count(0)


def test_throttled_sign_in_shows_how_long_to_wait(editor: Page) -> None:
    name = new_user("throttled")
    editor.goto("/")
    for _ in range(FAILURES_BEFORE_THROTTLE):
        assert sign_in(editor, name, WRONG) == 401
    assert sign_in(editor, name, WRONG) == 429
    expect(editor.get_by_text(A_WAIT)).to_be_visible()
    expect(editor.get_by_role("button", name="Sign out")).to_have_count(0)


def saved_brand(page: Page) -> str | None:
    """The brand of the user's (only) draft as the API has it; None before the first save."""
    listed = page.request.get("/api/projects")
    assert listed.ok, listed.text()
    projects: list[dict[str, Any]] = listed.json()["projects"]
    if not projects:
        return None
    project = page.request.get(f"/api/projects/{projects[0]['project_id']}").json()["project"]
    return str(project["draft"]["brand_name"])


def test_a_session_ending_mid_work_asks_to_sign_in_and_keeps_the_work(
    editor: Page, studio: Studio
) -> None:
    name = new_user("expiring")
    open_editor(editor, name)
    brand = editor.get_by_label("Brand", exact=True)
    brand.fill("Harbor Bakery")
    wait_for("the first save", lambda: saved_brand(editor) == "Harbor Bakery", timeout_s=20)

    assert end_sessions(studio.db, name) >= 1
    brand.fill("Harbor Bakery & Sons")  # an edit that saves, now without a session

    expect(editor.get_by_label("Password", exact=True)).to_be_visible(timeout=30_000)
    assert sign_in(editor, name) == 200
    expect(editor.get_by_label("Password", exact=True)).to_be_hidden()
    expect(brand).to_have_value("Harbor Bakery & Sons")
    wait_for(
        "the edit made while signed out to be saved",
        lambda: saved_brand(editor) == "Harbor Bakery & Sons",
        timeout_s=20,
    )
