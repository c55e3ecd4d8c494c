"""GET /api/voices, and the voice / music options of POST /api/jobs, on the emulators."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from functions.http_deps import pipeline
from shared.localstack import RunningStack
from shared.localstack.gateway import Wsgi, build_app
from shared.pipeline.made_tracks import MusicOptions, VoiceOptions
from shared.voice import espeak
from tests.integration.http_helpers import Browser, ad_timeline, ready_photo, signed_in

pytestmark = pytest.mark.emulator


@pytest.fixture(scope="module")
def app(stack: RunningStack) -> Iterator[Wsgi]:
    yield build_app()


def test_the_voice_list_for_the_picker(app: Wsgi) -> None:
    answer = signed_in(app).get("/api/voices")
    assert answer.status_code == 200, answer.get_json()
    voices = answer.get_json()["voices"]
    ids = [v["voice_id"] for v in voices]
    assert ids[:2] == ["espeak:en-us", "espeak:en-gb"] and len(ids) == 8  # no ElevenLabs voices set
    assert set(voices[0]) == {"voice_id", "name", "language", "engine", "available", "why"}
    assert voices[2]["language"] == "fr" and voices[2]["engine"] == "espeak-ng"
    assert all(v["available"] is (espeak.missing() is None) for v in voices)


def test_the_voice_list_needs_a_session(app: Wsgi) -> None:
    answer = Browser(app).get("/api/voices")
    assert answer.status_code == 401 and answer.get_json()["error"] == "unauthenticated"


def test_a_job_keeps_its_voice_and_music_options(app: Wsgi) -> None:
    browser = signed_in(app)
    body = {
        "brand_name": "Bakery Ltd", "timeline": ad_timeline(f"media:{ready_photo(browser)}"),
        "script": "Fresh bread every day.",
        "voice": {"voice_id": "espeak:fr", "volume": 1.5},
        "music": {"prompt": "warm acoustic", "volume": 0.25, "duck": False},
    }  # fmt: skip
    answer = browser.post("/api/jobs", body)
    assert answer.status_code == 202, answer.get_json()
    stored = pipeline().pipelines.get(answer.get_json()["job"]["job_id"])
    assert stored.voice == VoiceOptions(voice_id="espeak:fr", volume=1.5)
    assert stored.music == MusicOptions(prompt="warm acoustic", volume=0.25, duck=False)


@pytest.mark.parametrize(
    ("options", "words"),
    [
        ({"voice": {"volume": "1"}}, "volume"),  # strict: a number is a JSON number
        ({"voice": {"volume": 4.5}}, "volume"),
        ({"voice": {"voice_id": "espeak:xx"}}, "espeak-ng voices"),
        ({"voice": {"voice_id": "no such/voice"}}, "GET /api/voices"),
        ({"voice": {"speed": 2}}, "speed"),
        ({"music": {"prompt": "x" * 501}}, "prompt"),
        ({"music": {"duck": "yes"}}, "duck"),
    ],
)
def test_bad_options_are_refused_with_a_reason(
    app: Wsgi, options: dict[str, object], words: str
) -> None:
    browser = signed_in(app)
    timeline = ad_timeline(f"media:{ready_photo(browser)}")
    body = {"brand_name": "B", "timeline": timeline, "script": "Hi.", **options}
    answer = browser.post("/api/jobs", body)
    assert answer.status_code == 400, answer.get_json()
    assert answer.get_json()["error"] == "invalid_request"
    assert words in answer.get_json()["message"]


@pytest.mark.skipif(espeak.missing() is not None, reason="espeak-ng is not installed")
def test_a_voice_made_now_is_a_library_item_with_its_real_length(app: Wsgi) -> None:
    browser = signed_in(app)
    script = "Fresh bread every morning. Visit the harbour bakery today."
    answer = browser.post("/api/voices/make", {"script": script, "voice_id": "espeak:en-gb"})
    assert answer.status_code == 201, answer.get_json()
    made = answer.get_json()
    assert made["made_by"] == "espeak-ng" and made["warning"] is None
    assert [w["word"] for w in made["word_timings"]] == script.split()
    last = made["word_timings"][-1]["end_ms"]
    assert last <= made["duration_ms"] <= last + 1000  # the file's real length, not a guess
    listed = browser.get("/api/media").get_json()["media"]
    item = next(m for m in listed if m["source"] == made["source"])
    assert item["kind"] == "audio" and item["status"] == "ready"
    assert item["duration_ms"] == made["duration_ms"] and item["made_by"] == "espeak-ng"
    assert item["filename"].startswith("Voice - Fresh bread") and item["url"]


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({"script": ""}, "script"),
        ({"script": "Hi", "voice_id": "espeak:xx"}, "espeak-ng voices"),
        ({"script": "Hi", "speed": 2}, "speed"),
    ],
)
def test_making_a_voice_refuses_a_bad_body_in_words(
    app: Wsgi, body: dict[str, object], words: str
) -> None:
    answer = signed_in(app).post("/api/voices/make", body)
    assert answer.status_code == 400, answer.get_json()
    assert words in answer.get_json()["message"]
