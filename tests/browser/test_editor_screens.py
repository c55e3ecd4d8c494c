"""The screens before any work: sign-in and the empty editor, every named control present,
screenshots at both sizes, no serious or critical axe violation. (The screens with clips, 9:16
and a finished job are taken by test_editor_flow.py, which makes them.)"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import axe_check, format_switch, open_editor, region, screenshot
from tests.integration.http_helpers import new_user

pytestmark = [pytest.mark.browser, pytest.mark.emulator, pytest.mark.timeout(120)]

BUTTONS = (
    "Sign out", "Upload", "Render", "Preview render", "Play", "Undo", "Redo", "Write with AI",
)  # fmt: skip
FIELDS = ("Brand", "Call to action", "Script")
REGIONS = ("Media library", "Video track", "Text track", "Voice track", "Music track", "Jobs")
FORMATS = ("16:9", "9:16", "1:1")


def test_the_sign_in_screen(editor: Page) -> None:
    editor.goto("/")
    for field in ("Name", "Password"):
        expect(editor.get_by_label(field, exact=True)).to_be_editable()
    expect(editor.get_by_role("button", name="Sign in", exact=True)).to_be_enabled()
    screenshot(editor, "sign-in")
    axe_check(editor)


def test_the_empty_editor_has_every_named_control(editor: Page) -> None:
    open_editor(editor, new_user("empty"))
    for button in BUTTONS:
        expect(editor.get_by_role("button", name=button, exact=True)).to_be_visible()
    for field in FIELDS:
        expect(editor.get_by_label(field, exact=True)).to_be_visible()
    for name in REGIONS:
        expect(region(editor, name)).to_be_visible()
    formats = format_switch(editor)
    for aspect in FORMATS:
        expect(formats.get_by_role("radio", name=aspect, exact=True)).to_be_enabled()
        expect(formats.get_by_text(aspect, exact=True)).to_be_visible()
    expect(formats.get_by_role("radio", name="16:9", exact=True)).to_be_checked()
    expect(editor.get_by_text("Start with your photos", exact=True)).to_be_visible()  # preview
    screenshot(editor, "editor-empty")
    axe_check(editor)
