"""Music from ElevenLabs through the ``elevenlabs`` SDK: ``music.compose`` (POST /v1/music).

Asks for an instrumental of the bed's length (3 s to 10 min; a longer programme loops it, see
shared/music/fit.py) as MP3, which every plan has. The SDK's answer is a lazy stream: nothing is
sent until it is read, so errors surface while writing the file, and a half-written file is
removed. Every failure is a ``LinkFailed`` naming the reason.
"""

from __future__ import annotations

import logging
from pathlib import Path

import httpx
from elevenlabs.client import ElevenLabs
from elevenlabs.core import ApiError

from shared.ai.elevenlabs_voice import MAX_RETRIES, _reason
from shared.chains import LinkFailed
from shared.settings import Secret

log = logging.getLogger(__name__)

OUTPUT_FORMAT = "mp3_44100_128"
MIN_MS, MAX_MS = 3_000, 600_000


class ElevenLabsMusic:
    def __init__(self, api_key: Secret, *, model: str, timeout_s: float, base_url: str | None):
        self.model = model
        self.timeout_s = timeout_s
        self._client = ElevenLabs(api_key=api_key.reveal(), base_url=base_url, timeout=timeout_s)

    def compose(self, prompt: str, *, length_ms: int, dest: Path) -> Path:
        """An instrumental for ``prompt`` of ``length_ms`` (clamped to 3 s..10 min) at ``dest``.

        Raises:
            LinkFailed: refused, rate-limited, a server error, no answer in time, or no audio.
        """
        stream = self._client.music.compose(
            prompt=prompt, music_length_ms=min(MAX_MS, max(MIN_MS, length_ms)),
            model_id=self.model, force_instrumental=True, output_format=OUTPUT_FORMAT,
            request_options={"timeout_in_seconds": int(max(1, self.timeout_s)),
                             "max_retries": MAX_RETRIES},
        )  # fmt: skip
        try:
            with dest.open("wb") as out:
                for chunk in stream:
                    out.write(chunk)
        except ApiError as exc:
            dest.unlink(missing_ok=True)
            raise LinkFailed(_reason(exc)) from exc
        except httpx.TimeoutException as exc:
            dest.unlink(missing_ok=True)
            raise LinkFailed(f"no answer within {self.timeout_s:g} s") from exc
        except httpx.HTTPError as exc:
            dest.unlink(missing_ok=True)
            raise LinkFailed("could not be reached") from exc
        if dest.stat().st_size == 0:
            dest.unlink()
            raise LinkFailed("answered with no audio")
        log.info("elevenlabs composed", extra={"model": self.model, "ms": length_ms})
        return dest
