"""A damaged photo dropped on the library: the server's words next to that file, nothing added."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from shared.localstack.api_client import ApiClient
from tests.browser.conftest import Studio
from tests.browser.helpers import bad_photo_files, documents_of, drop_files, open_editor, region
from tests.integration.http_helpers import PASSWORD, new_user

pytestmark = [pytest.mark.browser, pytest.mark.emulator, pytest.mark.timeout(120)]


def refusal(url: str, photo: Path) -> str:
    """What the server says (422) about this file, asked over the API by another user."""
    api = ApiClient(url)
    api.login(new_user("asker"), PASSWORD)
    data = photo.read_bytes()
    asked = api.call(
        "POST",
        "/api/media/uploads",
        expect=201,
        json={"filename": photo.name, "content_type": "image/jpeg", "size_bytes": len(data)},
    )
    put = api.http.put(asked["upload"]["url"], data=data, headers=asked["upload"]["headers"])
    assert put.status_code == 200, put.text
    answer = api.call("POST", f"/api/media/{asked['media_id']}/register", expect=422)
    return str(answer["message"])


def test_a_damaged_photo_is_refused_in_words_next_to_it(
    editor: Page, studio: Studio, tmp_path: Path
) -> None:
    bad = bad_photo_files(tmp_path)
    messages = {photo.name: refusal(studio.url, photo) for photo in bad}
    name = new_user("careless")
    open_editor(editor, name)
    library = region(editor, "Media library")

    drop_files(library, bad)
    for photo in bad:
        entry = library.get_by_role("listitem", name=photo.name)
        expect(entry).to_contain_text(messages[photo.name], timeout=30_000)
    expect(library.locator("img")).to_have_count(0)
    assert documents_of(studio.db, "media", name) == []
    listed = editor.request.get("/api/media")
    assert listed.ok and listed.json()["media"] == [], listed.text()
