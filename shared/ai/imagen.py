"""Stills from Gemini's image model (Developer API, keyed) through google-genai.

google-genai 3.x offers ``generate_images`` (Imagen) on Vertex only; with a Gemini API key the
image comes from ``generate_content`` with the IMAGE response modality, as inline data
(``POST /v1/models/{model}:generateContent``). 429/503 are retried by the SDK.
"""

from __future__ import annotations

import logging

import httpx
import httpx2
from google import genai
from google.genai import errors, types

from shared.chains import LinkFailed
from shared.settings import Secret

log = logging.getLogger(__name__)

RETRY_ATTEMPTS = 3
RETRY_STATUS_CODES = [429, 503]


class GeminiImages:
    def __init__(
        self, api_key: Secret, model: str, timeout_ms: int, base_url: str | None = None
    ) -> None:
        self.model = model
        self._timeout_ms = timeout_ms
        self._client = genai.Client(
            api_key=api_key.reveal(),
            http_options=types.HttpOptions(
                base_url=base_url, timeout=timeout_ms,
                retry_options=types.HttpRetryOptions(
                    attempts=RETRY_ATTEMPTS, initial_delay=0.2, max_delay=2.0, jitter=0.1,
                    http_status_codes=RETRY_STATUS_CODES,
                ),
            ),
        )  # fmt: skip

    def generate(self, prompt: str, aspect_ratio: str) -> tuple[bytes, str]:
        """(image bytes, MIME type) of one still for ``prompt``.

        Raises:
            LinkFailed: an HTTP error (after the retries for 429/503), no answer in time, a body
                that is not Gemini's, or an answer with no image in it.
        """
        config = types.GenerateContentConfig(
            response_modalities=["IMAGE"],
            image_config=types.ImageConfig(aspect_ratio=aspect_ratio),
        )
        try:
            answer = self._client.models.generate_content(
                model=self.model, contents=prompt, config=config
            )
        except errors.APIError as exc:
            tries = f" {RETRY_ATTEMPTS} times" if exc.code in RETRY_STATUS_CODES else ""
            raise LinkFailed(
                f"{self.model} answered HTTP {exc.code} ({exc.status}){tries}"
            ) from exc
        except (httpx2.TimeoutException, httpx.TimeoutException) as exc:
            raise LinkFailed(f"no answer within {self._timeout_ms / 1000:g} s") from exc
        except (httpx2.HTTPError, httpx.HTTPError) as exc:
            raise LinkFailed("could not reach the Gemini API") from exc
        except ValueError as exc:
            raise LinkFailed("answered with a body that is not Gemini's JSON") from exc
        for candidate in answer.candidates or []:
            for part in (candidate.content.parts if candidate.content else None) or []:
                blob = part.inline_data
                if blob is not None and blob.data and (blob.mime_type or "").startswith("image/"):
                    log.info("gemini image", extra={"model": self.model, "bytes": len(blob.data)})
                    return blob.data, blob.mime_type or "image/png"
        reason = answer.candidates[0].finish_reason if answer.candidates else None
        raise LinkFailed(f"answered with no image (finish reason {reason or 'none'})")
