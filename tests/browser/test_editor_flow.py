"""The main path, as a person does it: drop three photos, put them on the video track, reorder,
brand and call to action, 9:16, render, watch it live, download an MP4 of the timeline's length.
Screenshots and axe on each screen along the way."""

from __future__ import annotations

import re
import time
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
from playwright.sync_api import Locator, Page, expect

from shared.render.media.probe import probe_streams
from shared.timeline.validate import parse_timeline
from tests.browser.conftest import PageLog, Studio
from tests.browser.helpers import (
    PROGRESS,
    axe_check,
    choose_format,
    documents_of,
    drop_files,
    library_item,
    observe,
    observed,
    open_editor,
    photo_files,
    pointer_drag,
    region,
    screenshot,
)
from tests.integration.http_helpers import new_user

pytestmark = [
    pytest.mark.browser,
    pytest.mark.emulator,
    pytest.mark.ffmpeg,
    pytest.mark.slow,
    pytest.mark.timeout(420),
]

RENDER_TIMEOUT_MS = 240_000  # a short 9:16 timeline on the CPU renderer, on 2 shared cores
BRAND = "Harbor Bakery"
CALL_TO_ACTION = "Order today at harbor.example"
LISTEN = "google.firestore.v1.Firestore/Listen"


def clips(track: Locator) -> Locator:
    """The clips on a track, in order: each named "Clip <n>: <file name>, <length>"."""
    return track.get_by_role("button", name=re.compile(r"^Clip \d+: "))


def expect_clips(track: Locator, filenames: list[str]) -> None:
    found = clips(track)
    expect(found).to_have_count(len(filenames))
    for n, filename in enumerate(filenames):
        expect(found.nth(n)).to_have_accessible_name(
            re.compile(rf"^Clip {n + 1}: {re.escape(filename)} ")
        )


def api(page: Page, path: str) -> Any:
    """GET ``path`` with the page's session (Playwright's request context, not the page's own
    network, so it never counts as the page polling)."""
    answer = page.request.get(path)
    assert answer.ok, f"GET {path}: {answer.status} {answer.text()}"
    return answer.json()


def job_gets(log: PageLog, start: float, end: float) -> list[str]:
    """The page's GETs of /api/jobs* sent between ``start`` and ``end`` (wall-clock seconds)."""
    return [
        sent.url
        for sent in log.requests
        if sent.method == "GET"
        and urlparse(sent.url).path.startswith("/api/jobs")
        and start <= sent.at <= end
    ]


def test_a_person_makes_renders_and_downloads_an_ad(
    editor: Page, page_log: PageLog, studio: Studio, tmp_path: Path
) -> None:
    name = new_user("maker")
    open_editor(editor, name)
    library, video = region(editor, "Media library"), region(editor, "Video track")

    photos = photo_files(tmp_path, 3)
    observe(library, PROGRESS, "uploads")
    drop_files(library, photos)
    for photo in photos:
        thumbnail = library_item(editor, photo.name).locator("img")
        expect(thumbnail).to_be_visible(timeout=30_000)
        assert thumbnail.evaluate("img => img.decode().then(() => img.naturalWidth)") > 0
    bars = observed(editor, "uploads")
    assert len(bars) == len(photos), f"one progress bar per file, saw {bars}"
    for photo in photos:
        assert any(photo.name in bar for bar in bars), (photo.name, bars)

    for n, photo in enumerate(photos):  # each dropped on the right end of the last clip
        source = library_item(editor, photo.name)
        if n == 0:
            pointer_drag(editor, source, video)
        else:
            last = clips(video).last
            box = last.bounding_box()
            assert box is not None, "the last clip is not visible"
            pointer_drag(editor, source, last, (box["width"] * 0.9, box["height"] / 2))
        expect(clips(video)).to_have_count(n + 1)
    expect_clips(video, [p.name for p in photos])
    screenshot(editor, "editor-clips")
    axe_check(editor)

    # Reorder: the third clip dragged before the first.
    placed = clips(video)
    pointer_drag(editor, placed.nth(2), placed.nth(0), (4, 10))
    order = [photos[2], photos[0], photos[1]]
    expect_clips(video, [p.name for p in order])

    editor.get_by_label("Brand", exact=True).fill(BRAND)
    editor.get_by_label("Call to action", exact=True).fill(CALL_TO_ACTION)
    portrait = choose_format(editor, "9:16")
    expect(portrait).to_be_checked()
    screenshot(editor, "editor-9x16")
    axe_check(editor)

    jobs = region(editor, "Jobs")
    observe(jobs, PROGRESS, "job")
    render_at = time.time()
    editor.get_by_role("button", name="Render", exact=True).click()
    download = jobs.get_by_role("button", name="Download", exact=True)
    expect(download).to_be_visible(timeout=RENDER_TIMEOUT_MS)

    (job,) = documents_of(studio.db, "jobs", name)
    assert job["status"] == "done", job
    done_at = job["completed_at"]
    assert isinstance(done_at, datetime)
    # Live from the Firestore watch: the page listened, and never asked the API while it ran.
    assert any(LISTEN in sent.url for sent in page_log.requests), "no Firestore Listen channel"
    polled = job_gets(page_log, render_at, done_at.timestamp())
    assert not polled, f"the page polled the API while the job ran: {polled}"
    bars = observed(editor, "job").values()
    shown = [int(float(v)) for bar in bars for v in bar if v is not None]
    assert len({v for v in shown if 0 < v < 100}) >= 2, f"progress did not move live: {shown}"

    screenshot(editor, "jobs-done")
    axe_check(editor)

    # The job renders the editor's timeline: the draft the API holds, in the new order.
    timeline = api(editor, f"/api/jobs/{job['job_id']}")["job"]["timeline"]
    (project,) = api(editor, "/api/projects")["projects"]
    draft = api(editor, f"/api/projects/{project['project_id']}")["project"]["draft"]
    saved = parse_timeline(draft["timeline"])
    assert [c.source for c in saved.video] == [c["source"] for c in timeline["video"]]
    assert saved.duration_ms == parse_timeline(timeline).duration_ms
    filenames = {m["source"]: m["filename"] for m in api(editor, "/api/media")["media"]}
    assert [filenames[clip["source"]] for clip in timeline["video"]] == [p.name for p in order]
    assert timeline["format"]["aspect"] == "9:16"
    texts = [text["text"] for text in timeline.get("texts", [])]
    assert BRAND in texts and CALL_TO_ACTION in texts, texts
    assert job["brand_name"] == BRAND

    with editor.expect_download() as started:
        download.click()
    mp4 = tmp_path / "ad.mp4"
    started.value.save_as(mp4)
    facts = probe_streams(mp4)
    parsed = parse_timeline(timeline)
    assert facts.video is not None
    assert facts.video.width < facts.video.height  # 9:16
    assert abs(facts.video.duration_ms - parsed.duration_ms) <= 1000 / parsed.format.fps, (
        facts.video.duration_ms,
        parsed.duration_ms,
    )
