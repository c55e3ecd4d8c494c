"""Text generation with JSON output on an Ollama server, through the ``ollama`` client."""

from __future__ import annotations

import logging
from typing import Any

import httpx
import ollama

from shared.chains import LinkFailed

log = logging.getLogger(__name__)


class OllamaText:
    """``generate_json`` on one Ollama host and model, with a client timeout (the client's own
    default is to wait forever)."""

    def __init__(self, host: str, model: str, timeout_s: float) -> None:
        self.host = host
        self.model = model
        self.timeout_s = timeout_s
        self._client = ollama.Client(host=host, timeout=timeout_s)

    def generate_json(
        self, *, system: str, prompt: str, schema: dict[str, Any], temperature: float = 0.7
    ) -> str:
        """The model's answer text, constrained by Ollama to ``schema`` (still to be validated).

        Raises:
            LinkFailed: no answer in time, no server, an HTTP error or a body that is not
                Ollama's.
        """
        try:
            answer = self._client.generate(
                model=self.model,
                prompt=prompt,
                system=system,
                format=schema,
                options={"temperature": temperature},
                stream=False,
            )
        except ollama.ResponseError as exc:
            raise LinkFailed(f"{self.model} answered HTTP {exc.status_code}") from exc
        except httpx.TimeoutException as exc:
            raise LinkFailed(f"no answer within {self.timeout_s:g} s") from exc
        except (httpx.HTTPError, ConnectionError) as exc:
            raise LinkFailed(f"could not reach {self.host}") from exc
        except ValueError as exc:  # the body was not JSON, or not Ollama's shape
            raise LinkFailed("answered with a body that is not Ollama's JSON") from exc
        text = answer.response
        if not text:
            raise LinkFailed("answered with no text")
        log.info(
            "ollama generated",
            extra={"model": self.model, "eval_count": answer.eval_count, "chars": len(text)},
        )
        return text
