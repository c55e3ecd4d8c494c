"""The voice chain: which link speaks for which voice id, and the warning for every skip
(ElevenLabs through its SDK against a local server; espeak-ng for real)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import pytest

from shared.errors import ConfigError, InvalidRequest
from shared.settings import Secret, Settings
from shared.usage import Allowance
from shared.voice import espeak
from shared.voice.catalog import check_voice_id, list_voices
from shared.voice.chain import speak, voices
from tests.ai_servers.base import malformed, running, slow
from tests.ai_servers.elevenlabs_server import ElevenLabsServer, error, spoken
from tests.pipeline_fakes import InMemoryUsageMeter

needs_espeak = pytest.mark.skipif(espeak.missing() is not None, reason="espeak-ng is not installed")
BASE = Settings(project_id="p", media_bucket="m", renders_bucket="r")
SCRIPT = "Fresh bread, every morning."


@pytest.fixture
def server() -> Iterator[ElevenLabsServer]:
    with running(ElevenLabsServer()) as started:
        assert isinstance(started, ElevenLabsServer)
        yield started


def keyed(server: ElevenLabsServer) -> Settings:
    return dataclasses.replace(
        BASE, elevenlabs_api_key=Secret("sk-test"), elevenlabs_base_url=server.url,
        elevenlabs_voices=(("George1", "George"), ("Sarah2", "Sarah")), elevenlabs_timeout_s=1,
    )  # fmt: skip


def test_elevenlabs_speaks_first_when_keyed(server: ElevenLabsServer) -> None:
    server.answer(spoken())
    made = speak(SCRIPT, None, keyed(server))
    assert (made.made_by, made.warning) == ("ElevenLabs", None)
    assert [w.word for w in made.value.word_timings] == SCRIPT.split()
    assert server.received[0].path.startswith("/v1/text-to-speech/George1/")  # the first offered


def test_a_chosen_elevenlabs_voice_is_used(server: ElevenLabsServer) -> None:
    server.answer(spoken())
    assert speak(SCRIPT, "Sarah2", keyed(server)).made_by == "ElevenLabs"
    assert server.received[0].path.startswith("/v1/text-to-speech/Sarah2/")


@needs_espeak
@pytest.mark.parametrize(
    ("reply", "why"),
    [
        (error(401, "invalid_api_key", "bad"), "refused the API key (HTTP 401)"),
        (error(429, "quota_exceeded", "quota"), "rate limit or quota reached (HTTP 429)"),
        (error(500, "internal", "boom"), "server error (HTTP 500)"),
        (slow(spoken(), 4.0), "no answer within 1 s"),
        (malformed(), "answered with a body that is not ElevenLabs' JSON"),
    ],
    ids=["401", "429", "500", "slow", "malformed"],
)
def test_each_elevenlabs_fault_falls_to_espeak_with_a_warning(
    server: ElevenLabsServer, reply: object, why: str
) -> None:
    server.answer(reply)  # type: ignore[arg-type]
    made = speak(SCRIPT, "Sarah2", keyed(server))
    assert made.made_by == "espeak-ng"
    assert made.warning == f"voice: ElevenLabs: {why}; spoken by espeak-ng (en-us)"
    assert [w.word for w in made.value.word_timings] == SCRIPT.split()


@needs_espeak
def test_without_a_key_espeak_speaks_with_a_warning() -> None:
    made = speak(SCRIPT, None, BASE)
    assert made.warning == (
        "voice: ElevenLabs: key not set (ELEVENLABS_API_KEY); spoken by espeak-ng (en-us)"
    )


@needs_espeak
def test_a_chosen_espeak_voice_goes_straight_to_espeak(server: ElevenLabsServer) -> None:
    made = speak("Du pain frais.", "espeak:fr", keyed(server))
    assert (made.made_by, made.warning) == ("espeak-ng", None)
    assert server.received == []


def test_without_espeak_the_voice_fails_saying_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")  # a machine where espeak-ng is not installed
    with pytest.raises(espeak.EspeakMissing) as failed:
        speak(SCRIPT, None, BASE)
    assert not failed.value.retryable
    assert "apt-get install espeak-ng" in failed.value.message
    assert "ElevenLabs: key not set" in failed.value.message


def test_voice_ids_are_checked() -> None:
    for ok in (None, "espeak:en-gb", "JBFqnCBsd6RMkjVDRZzb"):
        check_voice_id(ok)
    for bad in ("espeak:xx", "../etc", "a b", ""):
        with pytest.raises(InvalidRequest, match="voice: "):
            check_voice_id(bad)


def test_the_picker_lists_espeak_languages_and_the_configured_elevenlabs_voices() -> None:
    listed = list_voices(
        dataclasses.replace(BASE, elevenlabs_voices=(("George1", "George"),)),
        espeak_why=None, espeak_languages=frozenset({"en-us", "fr"}),
    )  # fmt: skip
    by_id = {v.voice_id: v for v in listed}
    assert by_id["George1"].engine == "elevenlabs"
    assert (by_id["George1"].available, by_id["George1"].why) == (False, "ElevenLabs key not set")
    assert by_id["espeak:en-us"].available and by_id["espeak:fr"].available
    assert not by_id["espeak:de"].available and "German" in (by_id["espeak:de"].why or "")
    assert len([v for v in listed if v.engine == "espeak-ng"]) == 8
    gone = list_voices(BASE, espeak_why="espeak-ng is not installed", espeak_languages=frozenset())
    assert not any(v.available for v in gone)


@needs_espeak
def test_installed_voices_are_found_on_this_machine() -> None:
    assert all(v.available for v in voices(BASE) if v.engine == "espeak-ng")


def test_elevenlabs_voices_come_from_settings() -> None:
    env = {"GOOGLE_CLOUD_PROJECT": "p", "CS_ELEVENLABS_VOICES": "George1:George, Sarah2:Sarah K"}
    voices = Settings.from_env(env).elevenlabs_voices
    assert voices == (("George1", "George"), ("Sarah2", "Sarah K"))
    with pytest.raises(ConfigError, match="CS_ELEVENLABS_VOICES"):
        Settings.from_env({**env, "CS_ELEVENLABS_VOICES": "no-name"})


@needs_espeak
def test_elevenlabs_is_skipped_once_the_owners_daily_characters_are_used_up(
    server: ElevenLabsServer,
) -> None:
    server.answer(spoken())
    meter = InMemoryUsageMeter()
    allowance = Allowance(meter, "alice", "elevenlabs-characters", "characters", 40)
    assert speak(SCRIPT, "Sarah2", keyed(server), allowance).made_by == "ElevenLabs"  # 27 of 40

    made = speak(SCRIPT, "Sarah2", keyed(server), allowance)  # 27 more would be 54

    assert made.made_by == "espeak-ng" and len(server.received) == 1  # no second paid call
    assert made.warning == (
        "voice: ElevenLabs: your daily allowance of 40 characters is used up (27 used today, "
        "27 more asked); spoken by espeak-ng (en-us)"
    )
    bob = Allowance(meter, "bob", "elevenlabs-characters", "characters", 40)
    assert speak(SCRIPT, "Sarah2", keyed(server), bob).made_by == "ElevenLabs"  # per user
