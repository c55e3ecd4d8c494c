"""The music adapters on the wire: ACE-Step's REST client against a local server speaking its
routes, ElevenLabs music through the real ``elevenlabs`` SDK; every fault is a LinkFailed."""

from __future__ import annotations

import wave
from pathlib import Path

import pytest

from shared.ai.acestep import AceStepMusic
from shared.ai.elevenlabs_music import ElevenLabsMusic
from shared.chains import LinkFailed
from shared.render.media.ingest import ingest_audio
from shared.settings import Secret
from tests.ai_servers import acestep_server as ace
from tests.ai_servers.base import Reply, malformed, slow
from tests.ai_servers.elevenlabs_server import ElevenLabsServer, composed, error


def ace_client(server: ace.AceStepServer, timeout_s: float = 5) -> AceStepMusic:
    return AceStepMusic(
        server.url, api_key=Secret("ace-key"), timeout_s=timeout_s, deadline_s=0.3, poll_s=0.05
    )


def test_acestep_releases_polls_and_downloads(acestep: ace.AceStepServer, tmp_path: Path) -> None:
    acestep.answer(ace.working())
    path = ace_client(acestep).compose("warm, 96 BPM", bpm=96, seconds=4.2, seed=7,
                                       dest=tmp_path / "bed")  # fmt: skip
    with wave.open(str(path)) as bed:
        assert bed.getnframes() == 10 * ace.RATE  # 4.2 s asks for ACE-Step's minimum, 10 s
    release, query, audio = acestep.received
    assert (release.path, query.path) == ("/release_task", "/query_result")
    body = release.json()
    assert (body["bpm"], body["audio_duration"], body["lyrics"]) == (96, 10, "[Instrumental]")
    assert (body["audio_format"], body["seed"], body["use_random_seed"]) == ("wav", 7, False)
    assert query.json() == {"task_id_list": ["task-1"]}
    assert audio.method == "GET" and audio.path.startswith("/v1/audio?path=")
    assert release.headers["Authorization"] == "Bearer ace-key"


@pytest.mark.parametrize(
    ("replies", "reason"),
    [
        ((ace.error(429, "Server busy: queue is full"),), "busy: its queue is full (HTTP 429)"),
        ((ace.error(500, "boom"),), "server error (HTTP 500)"),
        ((ace.error(401, "Invalid API key"),), "refused the API key (HTTP 401)"),
        ((malformed(),), "answered with a body that is not ACE-Step's JSON"),
        ((Reply(200, b'{"data": {"id": 1}, "code": 200}'),), "not ACE-Step's JSON"),
        ((ace.working(), ace.failed()), "the generation failed (CUDA out of memory)"),
        ((ace.working(), ace.pending()), "no music within the 0.3 s allowed"),
        (
            (ace.working(), ace.working(), ace.error(404, "Audio file not found")),
            "could not send the music (refused the request (HTTP 404))",
        ),
        ((slow(ace.working(), 2.0),), "no answer within 0.5 s"),
    ],
)
def test_acestep_faults_are_link_failures(
    acestep: ace.AceStepServer, tmp_path: Path, replies: tuple[Reply, ...], reason: str
) -> None:
    acestep.answer(*replies)
    with pytest.raises(LinkFailed) as failed:
        ace_client(acestep, timeout_s=0.5).compose(
            "x", bpm=100, seconds=12, seed=1, dest=tmp_path / "bed"
        )
    assert reason in failed.value.reason


def eleven(server: ElevenLabsServer, timeout_s: float = 5) -> ElevenLabsMusic:
    return ElevenLabsMusic(
        Secret("sk-test"), model="music_test", timeout_s=timeout_s, base_url=server.url
    )


def test_elevenlabs_composes_the_asked_length(elevenlabs: ElevenLabsServer, tmp_path: Path) -> None:
    elevenlabs.answer(composed())
    path = eleven(elevenlabs).compose("warm", length_ms=1_200, dest=tmp_path / "m.mp3")
    assert ingest_audio(path, tmp_path / "decoded").duration_ms == pytest.approx(3_000, abs=60)
    (request,) = elevenlabs.received
    assert request.path.startswith("/v1/music?output_format=mp3_44100_128")
    body = request.json()
    assert body["music_length_ms"] == 3_000  # ElevenLabs' minimum
    assert (body["model_id"], body["force_instrumental"]) == ("music_test", True)
    assert request.headers["xi-api-key"] == "sk-test"


@pytest.mark.parametrize(
    ("reply", "reason"),
    [
        (error(429, "quota_exceeded", "quota"), "rate limit or quota reached (HTTP 429)"),
        (error(500, "internal", "boom"), "server error (HTTP 500)"),
        (error(401, "invalid_api_key", "no"), "refused the API key (HTTP 401)"),
        (slow(composed(), 3.0), "no answer within 1 s"),
        (Reply(200, b""), "answered with no audio"),
    ],
)
def test_elevenlabs_faults_are_link_failures(
    elevenlabs: ElevenLabsServer, tmp_path: Path, reply: Reply, reason: str
) -> None:
    elevenlabs.answer(reply)
    dest = tmp_path / "m.mp3"
    with pytest.raises(LinkFailed) as failed:
        eleven(elevenlabs, timeout_s=1).compose("warm", length_ms=5_000, dest=dest)
    assert failed.value.reason == reason
    assert not dest.exists()  # nothing half-written
