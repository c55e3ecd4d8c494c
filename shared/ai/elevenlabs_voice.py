"""Text to speech with word timings on ElevenLabs, through the ``elevenlabs`` SDK.

``convert_with_timestamps`` (POST /v1/text-to-speech/{voice_id}/with-timestamps) answers the audio
as base64 and a per-character alignment, which becomes the captions' word timings. We ask for raw
16-bit PCM at 24 kHz (every plan has it) so the audio needs no decoder. Every failure is a
``LinkFailed`` naming the reason, so the voice chain moves on to espeak-ng.
"""

from __future__ import annotations

import base64
import binascii
import logging

import httpx
import numpy as np
from elevenlabs.client import ElevenLabs
from elevenlabs.core import ApiError

from shared.chains import LinkFailed
from shared.settings import Secret
from shared.voice.spoken import SpokenText
from shared.voice.word_timing import from_alignment

log = logging.getLogger(__name__)

OUTPUT_FORMAT, PCM_RATE = "pcm_24000", 24_000
MAX_RETRIES = 1  # the SDK retries 429/5xx itself, honouring Retry-After


def _reason(exc: ApiError) -> str:
    status = exc.status_code or 0
    if 200 <= status < 300:
        return "answered with a body that is not ElevenLabs' JSON"
    if status == 401:
        return "refused the API key (HTTP 401)"
    if status == 429:
        return "rate limit or quota reached (HTTP 429)"
    if status >= 500:
        return f"server error (HTTP {status})"
    return f"refused the request (HTTP {status})"


class ElevenLabsVoice:
    def __init__(self, api_key: Secret, *, model: str, timeout_s: float, base_url: str | None):
        self.model = model
        self.timeout_s = timeout_s
        self._client = ElevenLabs(api_key=api_key.reveal(), base_url=base_url, timeout=timeout_s)

    def speak(self, text: str, voice_id: str) -> SpokenText:
        """``text`` spoken by ``voice_id``, with the engine's word timings.

        Raises:
            LinkFailed: refused, rate-limited, a server error, no answer in time, or an answer
                that is not ElevenLabs' shape.
        """
        try:
            answer = self._client.text_to_speech.convert_with_timestamps(
                voice_id, text=text, model_id=self.model, output_format=OUTPUT_FORMAT,
                request_options={"timeout_in_seconds": int(max(1, self.timeout_s)),
                                 "max_retries": MAX_RETRIES},
            )  # fmt: skip
        except ApiError as exc:
            raise LinkFailed(_reason(exc)) from exc
        except httpx.TimeoutException as exc:
            raise LinkFailed(f"no answer within {self.timeout_s:g} s") from exc
        except httpx.HTTPError as exc:
            raise LinkFailed("could not be reached") from exc
        except (TypeError, ValueError) as exc:  # a 2xx JSON body that is not the response model
            raise LinkFailed("answered with a body that is not ElevenLabs' JSON") from exc
        try:
            pcm = base64.b64decode(answer.audio_base_64, validate=True)
            alignment = answer.alignment or answer.normalized_alignment
            if alignment is None or not pcm or len(pcm) % 2:
                raise ValueError("no audio or no alignment")
            timings = from_alignment(
                alignment.characters,
                alignment.character_start_times_seconds,
                alignment.character_end_times_seconds,
            )
        except (AttributeError, TypeError, ValueError, binascii.Error) as exc:
            raise LinkFailed("answered without usable audio and timings") from exc
        samples = np.frombuffer(pcm, dtype="<i2").astype(np.int16)
        log.info(
            "elevenlabs spoke",
            extra={"model": self.model, "chars": len(text), "seconds": len(samples) / PCM_RATE},
        )
        return SpokenText(samples, PCM_RATE, timings)
