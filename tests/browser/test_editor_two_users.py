"""Two people: the second sees none of the first one's media, drafts or jobs, in the page and
through Firestore with the page's own token."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from shared.localstack.api_client import ApiClient
from tests.browser.conftest import Studio
from tests.browser.helpers import (
    firestore_as_page,
    library_item,
    open_editor,
    owned_by_query,
    photo_files,
    region,
)
from tests.integration.http_helpers import PASSWORD, new_user

pytestmark = [pytest.mark.browser, pytest.mark.emulator, pytest.mark.timeout(180)]


@dataclass(frozen=True)
class Work:
    """One user's things, each with a name found nowhere else."""

    uid: str
    filename: str
    media_id: str
    project_name: str
    brand: str
    job_id: str


def make_work(url: str, prefix: str, folder: Path) -> Work:
    """Over the API: a photo, a saved draft and a job (cancelled at once: no render needed)."""
    tag = uuid.uuid4().hex[:8]
    api = ApiClient(url)
    uid = api.login(new_user(prefix), PASSWORD)
    (photo,) = photo_files(folder / prefix, 1, size=(320, 180), prefix=f"{prefix}-only-{tag}")
    media = api.upload(photo)
    project_name, brand = f"{prefix} draft {tag}", f"{prefix} bakery {tag}"
    project = api.call("POST", "/api/projects", expect=201, json={"name": project_name})["project"]
    clip = {"kind": "photo", "source": media["source"], "duration_ms": 1000}
    timeline = {"name": project_name, "video": [clip]}
    draft = {"name": project_name, "brand_name": brand, "timeline": timeline}
    api.call(
        "PUT",
        f"/api/projects/{project['project_id']}",
        json={"revision": project["revision"], "draft": draft},
    )
    job = api.submit(brand, timeline)
    api.call("POST", f"/api/jobs/{job['job_id']}/cancel")
    return Work(uid, photo.name, media["media_id"], project_name, brand, job["job_id"])


def test_a_second_user_sees_nothing_of_the_first(
    editor: Page, studio: Studio, tmp_path: Path
) -> None:
    alice = make_work(studio.url, "alice", tmp_path)
    bob = make_work(studio.url, "bob", tmp_path)

    # Bob's editor shows his own things (the page has loaded), and none of Alice's.
    open_editor(editor, bob.uid)
    jobs = region(editor, "Jobs")
    expect(library_item(editor, bob.filename)).to_be_visible()
    expect(jobs.get_by_text(bob.brand)).to_be_visible()  # delivered by the watch
    page_text = editor.locator("body").inner_text()
    for theirs in (alice.filename, alice.project_name, alice.brand, alice.job_id):
        assert theirs not in page_text, f"Bob's page shows Alice's {theirs!r}"
    assert alice.media_id not in editor.content()

    # Firestore with Bob's token, from his page: his own answer, Alice's are refused.
    status, text = firestore_as_page(editor, "POST", ":runQuery", owned_by_query("jobs", bob.uid))
    assert status == 200 and bob.job_id in text, (status, text)
    for collection in ("jobs", "media"):
        status, text = firestore_as_page(
            editor, "POST", ":runQuery", owned_by_query(collection, alice.uid)
        )
        assert status == 403, (collection, status, text)
    for path in (f"/jobs/{alice.job_id}", f"/media/{alice.media_id}"):
        status, text = firestore_as_page(editor, "GET", path)
        assert status == 403, (path, status, text)
