"""Veo clips on Vertex AI through google-genai (``generate_videos`` is Vertex-only in 3.x).

Start a long-running prediction, poll ``client.operations.get`` until it is done or the deadline
passes, and return the video's bytes or its ``gs://`` link. A failed operation, a result whose
videos were all withheld by the safety filters, 429/5xx after the SDK's retries, or no answer in
time all raise ``LinkFailed`` (notes/provider-apis.md §1.3).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

import httpx
import httpx2
from google import genai
from google.genai import errors, types
from google.oauth2.credentials import Credentials

from shared.chains import LinkFailed
from shared.settings import Secret

log = logging.getLogger(__name__)

RETRY_STATUS_CODES = [429, 503]
REQUEST_TIMEOUT_MS = 60_000


@dataclass(frozen=True)
class VeoVideo:
    video_bytes: bytes | None
    uri: str | None  # gs://..., when Vertex wrote the clip to a bucket


class Veo:
    def __init__(
        self,
        project: str,
        location: str,
        model: str,
        *,
        poll_s: float,
        deadline_s: float,
        base_url: str | None = None,
        access_token: Secret | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.model = model
        self._poll_s = poll_s
        self._deadline_s = deadline_s
        self._sleep = sleep
        self._clock = clock
        credentials = None
        if access_token is not None:
            credentials = Credentials(token=access_token.reveal())  # type: ignore[no-untyped-call]
        self._client = genai.Client(
            vertexai=True, project=project, location=location, credentials=credentials,
            http_options=types.HttpOptions(
                base_url=base_url, timeout=REQUEST_TIMEOUT_MS,
                retry_options=types.HttpRetryOptions(
                    attempts=3, initial_delay=0.2, max_delay=2.0, jitter=0.1,
                    http_status_codes=RETRY_STATUS_CODES,
                ),
            ),
        )  # fmt: skip

    def generate(
        self,
        prompt: str,
        *,
        image: bytes | None,
        image_mime_type: str = "image/png",
        duration_s: int,
        aspect_ratio: str,
    ) -> VeoVideo:
        """One clip for ``prompt``, animated from ``image`` when given.

        Raises:
            LinkFailed: see the module docstring.
        """
        source = types.GenerateVideosSource(
            prompt=prompt,
            image=None
            if image is None
            else types.Image(image_bytes=image, mime_type=image_mime_type),
        )
        config = types.GenerateVideosConfig(
            number_of_videos=1, duration_seconds=duration_s, aspect_ratio=aspect_ratio,
            generate_audio=False,
        )  # fmt: skip
        ends_at = self._clock() + self._deadline_s
        try:
            op = self._client.models.generate_videos(model=self.model, source=source, config=config)
            while not op.done:
                if self._clock() >= ends_at:
                    raise LinkFailed(f"{self.model}: no video within {self._deadline_s:g} s")
                self._sleep(self._poll_s)
                op = self._client.operations.get(op)
        except errors.APIError as exc:
            raise LinkFailed(f"{self.model} answered HTTP {exc.code} ({exc.status})") from exc
        except (httpx2.TimeoutException, httpx.TimeoutException) as exc:
            raise LinkFailed(f"{self.model}: a request timed out") from exc
        except (httpx2.HTTPError, httpx.HTTPError) as exc:
            raise LinkFailed("could not reach Vertex AI") from exc
        except ValueError as exc:  # a body that is not JSON
            raise LinkFailed(
                f"{self.model} answered with a body that is not Vertex's JSON"
            ) from exc
        return self._video(op)

    def _video(self, op: types.GenerateVideosOperation) -> VeoVideo:
        if op.error:
            message = op.error.get("message") or "no reason given"
            raise LinkFailed(f"{self.model}: the generation failed ({message})")
        result = op.result
        videos = (result.generated_videos if result else None) or []
        video = videos[0].video if videos else None
        if video is None or not (video.video_bytes or video.uri):
            reasons = (result.rai_media_filtered_reasons if result else None) or []
            why = "; ".join(reasons) or "no video in the answer"
            raise LinkFailed(f"{self.model}: no video (safety filter: {why})")
        log.info("veo generated", extra={"model": self.model, "uri": video.uri})
        return VeoVideo(video.video_bytes, video.uri)
