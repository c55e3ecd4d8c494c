"""The browser harness itself, on the real stack: the gateway's page in Debian's Chromium, a
screenshot, axe, a desktop drop reaching the page's handler, Firestore judged by the rules."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import Page

from tests.browser.conftest import Studio
from tests.browser.helpers import (
    axe_check,
    drop_files,
    firestore_as_page,
    owned_by_query,
    photo_files,
    screenshot,
)
from tests.integration.http_helpers import PASSWORD, new_user

pytestmark = [pytest.mark.browser, pytest.mark.emulator, pytest.mark.timeout(120)]


def test_the_gateway_serves_the_web_root_to_chromium(page: Page) -> None:
    answer = page.goto("/")
    assert answer is not None and answer.status == 200
    assert "Create Studio" in page.title()
    shots = screenshot(page, "home")
    sizes = []
    for path in shots:
        with Image.open(path) as image:
            sizes.append(image.size)
    assert sizes == [(1366, 768), (1920, 1080)]
    axe_check(page)


_DROP_ZONE = """
() => {
  const zone = document.createElement("div");
  zone.id = "zone";
  zone.textContent = "drop here";
  zone.style.cssText = "position: fixed; inset: 10px; z-index: 9";
  window.dropped = [];
  zone.addEventListener("dragover", event => event.preventDefault());
  zone.addEventListener("drop", async event => {
    event.preventDefault();
    for (const file of event.dataTransfer.files) {
      const head = new Uint8Array(await file.slice(0, 3).arrayBuffer());
      window.dropped.push({name: file.name, type: file.type, size: file.size, head: [...head]});
    }
  });
  document.body.append(zone);
}
"""


def test_a_desktop_drop_delivers_the_files_to_the_page(page: Page, tmp_path: Path) -> None:
    page.goto("/")
    page.evaluate(_DROP_ZONE)
    photos = photo_files(tmp_path, 2, size=(320, 180))
    drop_files(page.locator("#zone"), photos)
    page.wait_for_function("() => window.dropped.length === 2")
    dropped = page.evaluate("() => window.dropped")
    assert dropped == [
        {"name": p.name, "type": "image/jpeg", "size": p.stat().st_size, "head": [255, 216, 255]}
        for p in photos
    ]


def test_an_element_without_a_drop_handler_fails_the_drop(page: Page, tmp_path: Path) -> None:
    page.goto("/")
    with pytest.raises(AssertionError, match="nothing on the page took the drop"):
        drop_files(page.locator("body"), photo_files(tmp_path, 1, size=(64, 36)))


def test_firestore_from_the_page_answers_only_the_users_own_documents(
    page: Page, studio: Studio
) -> None:
    alice, bob = new_user("alice"), new_user("bob")
    page.goto("/")
    status = page.evaluate(
        """async body => (await fetch("/api/auth/login", {method: "POST", body,
            headers: {"Content-Type": "application/json"}})).status""",
        f'{{"name": "{bob}", "password": "{PASSWORD}"}}',
    )
    assert status == 200
    own, text = firestore_as_page(page, "POST", ":runQuery", owned_by_query("jobs", bob))
    assert own == 200, text
    theirs, text = firestore_as_page(page, "POST", ":runQuery", owned_by_query("jobs", alice))
    assert theirs == 403 and "PERMISSION_DENIED" in text, (theirs, text)
