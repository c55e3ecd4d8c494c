"""Text generation with JSON output on Gemini (Developer API), through google-genai.

google-genai 3.x: timeouts are milliseconds and default to none; retries happen only with
``retry_options`` (here on 429/503, with a short backoff: the caller has a deadline); the
transport is httpx2, so its exceptions are httpx2's (notes/provider-apis.md §1).
"""

from __future__ import annotations

import logging

import httpx
import httpx2
from google import genai
from google.genai import errors, types
from pydantic import BaseModel

from shared.chains import LinkFailed
from shared.settings import Secret

log = logging.getLogger(__name__)

RETRY_ATTEMPTS = 3
RETRY_STATUS_CODES = [429, 503]


class GeminiText:
    def __init__(
        self,
        api_key: Secret,
        model: str,
        timeout_ms: int,
        base_url: str | None = None,
    ) -> None:
        self.model = model
        self.timeout_ms = timeout_ms
        self._client = genai.Client(
            api_key=api_key.reveal(),
            http_options=types.HttpOptions(
                base_url=base_url,
                timeout=timeout_ms,
                retry_options=types.HttpRetryOptions(
                    attempts=RETRY_ATTEMPTS,
                    initial_delay=0.2,
                    max_delay=1.0,
                    jitter=0.1,
                    http_status_codes=RETRY_STATUS_CODES,
                ),
            ),
        )

    def generate_json(
        self, *, system: str, prompt: str, schema: type[BaseModel], temperature: float = 0.7
    ) -> str:
        """The model's answer text, asked to follow ``schema`` (still to be validated).

        Raises:
            LinkFailed: rate limited or unavailable after the retries, any other HTTP error,
                no answer in time, or a body that is not Gemini's.
        """
        config = types.GenerateContentConfig(
            system_instruction=system,
            response_mime_type="application/json",
            response_schema=schema,
            temperature=temperature,
        )
        try:
            answer = self._client.models.generate_content(
                model=self.model, contents=prompt, config=config
            )
        except errors.APIError as exc:
            if exc.code in RETRY_STATUS_CODES:
                raise LinkFailed(
                    f"{self.model} answered HTTP {exc.code} ({exc.status}) {RETRY_ATTEMPTS} times"
                ) from exc
            raise LinkFailed(f"{self.model} answered HTTP {exc.code} ({exc.status})") from exc
        except (httpx2.TimeoutException, httpx.TimeoutException) as exc:
            raise LinkFailed(
                f"no answer within {self.timeout_ms / 1000:g} s, {RETRY_ATTEMPTS} tries"
            ) from exc
        except (httpx2.HTTPError, httpx.HTTPError) as exc:
            raise LinkFailed("could not reach the Gemini API") from exc
        except ValueError as exc:  # the body was not JSON
            raise LinkFailed("answered with a body that is not Gemini's JSON") from exc
        text = answer.text
        if not text:
            reason = answer.candidates[0].finish_reason if answer.candidates else None
            raise LinkFailed(f"answered with no text (finish reason {reason or 'none'})")
        log.info("gemini generated", extra={"model": self.model, "chars": len(text)})
        return text
