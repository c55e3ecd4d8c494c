"""The ElevenLabs link through the real ``elevenlabs`` SDK, against a local server speaking its
wire protocol: a good answer becomes audio + word timings; every fault becomes LinkFailed."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from shared.ai.elevenlabs_voice import OUTPUT_FORMAT, PCM_RATE, ElevenLabsVoice
from shared.chains import LinkFailed
from shared.settings import Secret
from tests.ai_servers.base import Reply, malformed, running, slow
from tests.ai_servers.elevenlabs_server import CHAR_S, GAP_S, ElevenLabsServer, error, spoken

VOICE = "JBFqnCBsd6RMkjVDRZzb"


@pytest.fixture
def server() -> Iterator[ElevenLabsServer]:
    with running(ElevenLabsServer()) as started:
        assert isinstance(started, ElevenLabsServer)
        yield started


def client(server: ElevenLabsServer, timeout_s: float = 5) -> ElevenLabsVoice:
    return ElevenLabsVoice(
        Secret("sk-test"), model="eleven_test_v9", timeout_s=timeout_s, base_url=server.url
    )


def test_speech_and_word_timings_come_from_the_answer(server: ElevenLabsServer) -> None:
    server.answer(spoken())
    said = client(server).speak("Fresh bread daily", VOICE)

    assert said.rate == PCM_RATE
    seconds = (5 + 5 + 5) * CHAR_S + 2 * GAP_S
    assert len(said.samples) / PCM_RATE == pytest.approx(seconds, abs=0.01)
    words = [(w.word, w.start_ms, w.end_ms) for w in said.word_timings]
    assert words == [("Fresh", 0, 300), ("bread", 420, 720), ("daily", 840, 1140)]
    (request,) = server.received
    path = f"/v1/text-to-speech/{VOICE}/with-timestamps?output_format={OUTPUT_FORMAT}"
    assert request.path == path
    assert request.headers["xi-api-key"] == "sk-test"
    assert request.json()["model_id"] == "eleven_test_v9"
    assert request.json()["text"] == "Fresh bread daily"


@pytest.mark.parametrize(
    ("reply", "reason", "requests"),
    [
        (error(401, "invalid_api_key", "Invalid API key"), "refused the API key (HTTP 401)", 1),
        (error(429, "quota_exceeded", "quota"), "rate limit or quota reached (HTTP 429)", 2),
        (error(500, "internal", "boom"), "server error (HTTP 500)", 2),
        (error(503, "overloaded", "busy"), "server error (HTTP 503)", 2),
        (malformed(), "answered with a body that is not ElevenLabs' JSON", 1),
        (Reply(200, b'{"audio_base64": "%%%"}'), "answered without usable audio and timings", 1),
        (Reply(200, b'{"audio_base64": "AAAA"}'), "answered without usable audio and timings", 1),
        (Reply(200, b"[1, 2]"), "answered with a body that is not ElevenLabs' JSON", 1),
    ],
    ids=["401", "429", "500", "503", "not-json", "bad-base64", "no-alignment", "not-an-object"],
)
def test_each_fault_is_a_link_failure_naming_it(
    server: ElevenLabsServer, reply: Reply, reason: str, requests: int
) -> None:
    server.answer(reply)
    with pytest.raises(LinkFailed) as failed:
        client(server).speak("Fresh bread", VOICE)
    assert failed.value.reason == reason
    assert len(server.received) == requests  # 429 and 5xx: the SDK's one retry, no more


def test_a_slow_answer_is_abandoned_at_the_timeout(server: ElevenLabsServer) -> None:
    server.answer(slow(spoken(), 5.0))
    began = time.monotonic()
    with pytest.raises(LinkFailed, match="no answer within 1 s"):
        client(server, timeout_s=1).speak("Fresh bread", VOICE)
    assert time.monotonic() - began < 3.0


def test_an_unreachable_server_is_a_link_failure() -> None:
    with running(ElevenLabsServer()) as gone:
        url = gone.url
    dead = ElevenLabsVoice(Secret("sk"), model="m", timeout_s=2, base_url=url)
    with pytest.raises(LinkFailed, match="could not be reached"):
        dead.speak("hello", VOICE)
