"""ElevenLabs' ``POST /v1/text-to-speech/{voice_id}/with-timestamps`` and ``POST /v1/music``,
as the SDK calls them.

``spoken()`` answers what the real service answers: the request's text as base64 PCM (each word a
tone burst, a gap between words: a test signal, not speech) and a per-character alignment that
matches it. ``composed()`` answers an MP3 of the asked ``music_length_ms`` (a tone with a click
on every half second). The other replies are the service's faults: 401, 429, 5xx, slow, malformed.
"""

from __future__ import annotations

import base64
import io
import json
import re
from dataclasses import replace

import av
import numpy as np

from tests.ai_servers.base import Received, Reply, ScriptedServer

RATE = 24_000
CHAR_S, GAP_S = 0.06, 0.12  # each character lasts CHAR_S; GAP_S of silence at each space
_PATH = re.compile(r"^/v1/text-to-speech/(?P<voice>[A-Za-z0-9]+)/with-timestamps(\?.*)?$")
_MUSIC = re.compile(r"^/v1/music(\?.*)?$")
_SPEAK = b"\x00speak the request's text"
_COMPOSE = b"\x00compose the asked length"


class ElevenLabsServer(ScriptedServer):
    def route(self, request: Received, reply: Reply) -> Reply:
        if not (_PATH.match(request.path) or _MUSIC.match(request.path)):
            return error(404, "not_found", f"no route {request.path}")
        if not request.headers.get("xi-api-key"):
            return error(401, "needs_authorization", "no xi-api-key header")
        if reply.body == _SPEAK:
            return replace(_speak(request.json()["text"]), delay_s=reply.delay_s)
        if reply.body == _COMPOSE:
            length_s = request.json()["music_length_ms"] / 1000
            return replace(_mp3(length_s), delay_s=reply.delay_s)
        return reply


def composed() -> Reply:
    return Reply(200, _COMPOSE)


def _mp3(seconds: float, rate: int = 44_100) -> Reply:
    t = np.arange(int(seconds * rate)) / rate
    signal = 0.1 * np.sin(2 * np.pi * 330 * t) + 0.4 * ((t % 0.5) < 0.01)
    out = io.BytesIO()
    with av.open(out, "w", format="mp3") as box:
        stream = box.add_stream("libmp3lame", rate=rate, layout="mono")
        pcm = (signal * 32767).astype("<i2")
        for start in range(0, len(pcm), 1152 * 8):
            frame = av.AudioFrame.from_ndarray(
                pcm[None, start : start + 1152 * 8], format="s16", layout="mono"
            )
            frame.rate = rate
            for packet in stream.encode(frame):
                box.mux(packet)
        for packet in stream.encode(None):
            box.mux(packet)
    return Reply(200, out.getvalue(), content_type="audio/mpeg")


def spoken() -> Reply:
    return Reply(200, _SPEAK)


def _speak(text: str) -> Reply:
    chars, starts, ends, audio = [], [], [], []
    at = 0.0
    for char in text:
        length = GAP_S if char.isspace() else CHAR_S
        n = int(length * RATE)
        t = np.arange(n) / RATE
        tone = np.zeros(n) if char.isspace() else 0.4 * np.sin(2 * np.pi * 220 * t)
        audio.append(tone)
        chars.append(char)
        starts.append(round(at, 3))
        ends.append(round(at + length, 3))
        at += length
    pcm = (np.concatenate(audio) * 32767).astype("<i2").tobytes()
    alignment = {
        "characters": chars,
        "character_start_times_seconds": starts,
        "character_end_times_seconds": ends,
    }
    body = {
        "audio_base64": base64.b64encode(pcm).decode(),
        "alignment": alignment,
        "normalized_alignment": alignment,
    }
    return Reply(200, json.dumps(body).encode())


def error(status: int, code: str, message: str) -> Reply:
    return Reply(status, json.dumps({"detail": {"status": code, "message": message}}).encode())
