""" "Make the voice now": the VOICE track shows the made file at its real length, the voice
recording picker selects it, and editing the script afterwards puts the estimate back."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import open_editor, region, screenshot
from tests.integration.http_helpers import new_user

pytestmark = [pytest.mark.browser, pytest.mark.emulator, pytest.mark.timeout(180)]

SCRIPT = "Fresh bread every morning. Visit the harbour bakery today."


def test_a_voice_made_now_sits_on_the_voice_track_at_its_real_length(editor: Page) -> None:
    open_editor(editor, new_user("voicer"))
    editor.get_by_label("Script", exact=True).fill(SCRIPT)
    voice_track = region(editor, "Voice track")
    expect(voice_track.get_by_text("Voiceover (made when you render)")).to_be_visible()

    button = editor.get_by_role("button", name="Make the voice now", exact=True)
    with editor.expect_response(lambda r: urlparse(r.url).path == "/api/voices/make") as answer:
        button.click()
        expect(editor.get_by_role("button", name="Making the voice…")).to_be_disabled()
    assert answer.value.status == 201, answer.value.text()
    made = answer.value.json()

    seconds = f"{made['duration_ms'] / 1000:.1f}"
    block = voice_track.locator(".audio-block.voice")
    expect(block).to_have_text(f"Voiceover · {made['made_by']} · {seconds} s")
    expect(button).to_be_enabled()
    editor.get_by_label("Zoom", exact=True).fill("100")  # px per second (fit-to-width is not whole)
    expect(editor.get_by_label("Zoom", exact=True)).to_have_value("100")
    box = block.bounding_box()
    assert box is not None and abs(box["width"] - made["duration_ms"] / 10) <= 1, (box, made)
    expect(editor.get_by_label("Voice recording")).to_have_value(made["source"])
    if made["warning"]:  # no ElevenLabs key here: espeak-ng spoke, and the editor says why
        expect(editor.locator(".toast").first).to_contain_text("ElevenLabs")
    screenshot(editor, "editor-voice-made")

    editor.get_by_label("Script", exact=True).fill(SCRIPT + " Open at seven.")
    expect(voice_track.get_by_text("Voiceover (made when you render)")).to_be_visible()
