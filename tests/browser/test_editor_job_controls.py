"""Pause, Resume and Cancel from the jobs gallery, as a person does it: a 24 s preview render is
paused mid-way (the card says so from the Firestore watch), a second render is cancelled while
it runs (no Download offered), then the first is resumed and finishes."""

from __future__ import annotations

import re
import time
from pathlib import Path
from urllib.parse import urlparse

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.browser.conftest import PageLog, Studio
from tests.browser.helpers import (
    axe_check,
    documents_of,
    drop_files,
    library_item,
    open_editor,
    photo_files,
    region,
    screenshot,
)
from tests.integration.http_helpers import new_user

pytestmark = [
    pytest.mark.browser,
    pytest.mark.emulator,
    pytest.mark.ffmpeg,
    pytest.mark.slow,
    pytest.mark.timeout(360),
]

CLIP_SECONDS = 8  # 3 x 8 s: long enough to be caught mid-render, at preview quality
START_TIMEOUT_MS = 60_000  # a worker picks the job up
RENDER_TIMEOUT_MS = 180_000  # a 24 s preview on the CPU renderer, on 2 shared cores
PAUSED_BRAND, CANCELLED_BRAND = "Harbor Bakery", "Dock Cafe"


def card(jobs: Locator, brand: str) -> Locator:
    """A job's card in the gallery, named "<brand>: <status in words>"."""
    return jobs.get_by_role("listitem", name=re.compile(rf"^{re.escape(brand)}: "))


def render(editor: Page, brand: str) -> None:
    editor.get_by_label("Brand", exact=True).fill(brand)
    editor.get_by_role("button", name="Preview render", exact=True).click()


def job_gets(log: PageLog, since: float) -> list[str]:
    return [
        sent.url
        for sent in log.requests
        if sent.method == "GET" and urlparse(sent.url).path.startswith("/api/jobs")
        and sent.at >= since
    ]  # fmt: skip


def test_a_person_pauses_resumes_and_cancels_renders(
    editor: Page, page_log: PageLog, studio: Studio, tmp_path: Path
) -> None:
    name = new_user("controls")
    open_editor(editor, name)
    library, video = region(editor, "Media library"), region(editor, "Video track")
    photos = photo_files(tmp_path, 3, size=(640, 360))
    drop_files(library, photos)
    hint = editor.get_by_text("Drag photos from the library onto the Video track", exact=True)
    for n, photo in enumerate(photos):
        expect(library_item(editor, photo.name).locator("img")).to_be_visible(timeout=30_000)
        if n == 0:
            expect(hint).to_be_visible()  # the empty preview says what to do next
        library.get_by_role("button", name=f"Add {photo.name} to the timeline").click()
        expect(hint).to_be_hidden()
        clip = video.get_by_role("button", name=re.compile(rf"^Clip {n + 1}: "))
        clip.click()
        length = editor.get_by_label("Length (s)", exact=True)
        length.fill(str(CLIP_SECONDS))
        length.press("Tab")  # the field commits on change
        expect(clip).to_have_accessible_name(
            re.compile(rf"^Clip {n + 1}: {re.escape(photo.name)} {CLIP_SECONDS}\.0 ?s$")
        )
    expect(editor.get_by_label("Playhead time")).to_have_text(re.compile(r"/ 0:24\.0$"))

    jobs = region(editor, "Jobs")
    render(editor, PAUSED_BRAND)
    first = card(jobs, PAUSED_BRAND)
    # Pause appears once a worker runs the job (a queued job cannot pause).
    first.get_by_role("button", name="Pause", exact=True).click(timeout=START_TIMEOUT_MS)
    paused_at = time.time()
    expect(first).to_have_accessible_name(f"{PAUSED_BRAND}: Paused")
    expect(first.get_by_text("Paused", exact=True).first).to_be_visible()
    expect(first.get_by_role("button", name="Resume", exact=True)).to_be_visible()
    expect(first.get_by_role("button", name="Pause", exact=True)).to_have_count(0)
    # The card changed from the watch: the page did not ask the API for the job.
    assert not job_gets(page_log, paused_at), job_gets(page_log, paused_at)

    render(editor, CANCELLED_BRAND)
    second = card(jobs, CANCELLED_BRAND)
    second.get_by_role("button", name="Pause", exact=True).wait_for(timeout=START_TIMEOUT_MS)
    # A step or progress tick patches the card in place: the button a person is pressing stays
    # (a card rebuilt on every tick once swallowed a click on Cancel).
    cancel = second.get_by_role("button", name="Cancel", exact=True).element_handle()
    step = second.locator(".job-step")
    expect(step).not_to_have_text(step.inner_text(), timeout=START_TIMEOUT_MS)
    assert cancel.evaluate("el => el.isConnected")
    cancel.click()
    expect(second).to_have_accessible_name(f"{CANCELLED_BRAND}: Cancelled")
    for gone in ("Download", "Pause", "Resume", "Cancel"):
        expect(second.get_by_role("button", name=gone, exact=True)).to_have_count(0)
    expect(first).to_have_accessible_name(f"{PAUSED_BRAND}: Paused")  # untouched by the other
    screenshot(editor, "jobs-paused-cancelled")
    axe_check(editor)

    first.get_by_role("button", name="Resume", exact=True).click()
    expect(first).to_have_accessible_name(re.compile(rf"^{PAUSED_BRAND}: (Queued|Rendering)$"))
    expect(first.get_by_role("button", name="Download", exact=True)).to_be_visible(
        timeout=RENDER_TIMEOUT_MS
    )
    expect(first).to_have_accessible_name(f"{PAUSED_BRAND}: Ready")

    by_brand = {job["brand_name"]: job for job in documents_of(studio.db, "jobs", name)}
    assert by_brand[PAUSED_BRAND]["status"] == "done", by_brand[PAUSED_BRAND]
    assert by_brand[CANCELLED_BRAND]["status"] == "cancelled", by_brand[CANCELLED_BRAND]
    assert by_brand[CANCELLED_BRAND].get("output") is None, by_brand[CANCELLED_BRAND]
