"""Cuts on the beat from the editor: the Music section's "Cuts on the beat" sends snap_cuts with
the made music's prompt, and the job the render makes has every photo's cut on that tempo's grid
(the submission snaps it, shared/timeline/beats.py)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import urlparse

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import Studio
from tests.browser.helpers import (
    drop_files,
    library_item,
    open_editor,
    photo_files,
    region,
    screenshot,
)
from tests.integration.http_helpers import new_user

pytestmark = [pytest.mark.browser, pytest.mark.emulator, pytest.mark.timeout(180)]

LENGTHS_S = ("2.3", "1.9", "2.6")  # none on the 500 ms grid of 120 bpm


def test_cuts_on_the_beat_reach_the_job(editor: Page, studio: Studio, tmp_path: Path) -> None:
    open_editor(editor, new_user("beats"))
    library, video = region(editor, "Media library"), region(editor, "Video track")
    photos = photo_files(tmp_path, len(LENGTHS_S), size=(640, 360))
    drop_files(library, photos)
    for n, (photo, seconds) in enumerate(zip(photos, LENGTHS_S, strict=True)):
        expect(library_item(editor, photo.name).locator("img")).to_be_visible(timeout=30_000)
        library.get_by_role("button", name=f"Add {photo.name} to the timeline").click()
        video.get_by_role("button", name=re.compile(rf"^Clip {n + 1}: ")).click()
        length = editor.get_by_label("Length (s)", exact=True)
        length.fill(seconds)
        length.press("Tab")

    editor.get_by_label("Mood", exact=True).fill("upbeat, 120 bpm")
    snap = editor.get_by_label("Cuts on the beat", exact=True)
    snap.check()
    expect(editor.locator("#snap-hint")).to_have_text(re.compile("nearest beat"))
    expect(editor.get_by_label("File's tempo (bpm)")).to_be_hidden()  # made music: its prompt's
    screenshot(editor, "editor-beat-snap")

    editor.get_by_label("Brand", exact=True).fill("Harbor Bakery")
    with editor.expect_request(
        lambda r: urlparse(r.url).path == "/api/jobs" and r.method == "POST"
    ) as sent:
        editor.get_by_role("button", name="Preview render", exact=True).click()
    body = json.loads(sent.value.post_data or "{}")
    assert body["music"]["snap_cuts"] is True and body["music"]["prompt"] == "upbeat, 120 bpm"
    answer = sent.value.response()
    assert answer is not None and answer.status == 202, answer and answer.text()
    job_id = answer.json()["job"]["job_id"]
    stored = studio.ports.jobs.get(job_id).timeline
    # Cuts at 2.3, 4.2 and 6.8 s moved to the nearest beats: 2.5, 4.0 and 7.0 s.
    assert [c["duration_ms"] for c in stored["video"]] == [2500, 1500, 3000]

    snap.uncheck()  # and back: the draft keeps the choice, the hint goes
    expect(editor.locator("#snap-hint")).to_have_text("")
