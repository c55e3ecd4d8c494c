"""The still-image chain: SDXL on this GPU box -> Gemini image (keyed) -> none, with a warning.

"None" is an answer, not a failure: the person is told no still was made and uses a photo of
their own. A still is a file in the request's work folder; the library validates and stores it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from shared.ai.imagen import GeminiImages
from shared.ai.sdxl import sdxl_image
from shared.chains import ChainResult, Link, LinkFailed, run_chain
from shared.imagery.models import SDXL, ModelSource
from shared.imagery.sizes import generation_size
from shared.settings import Settings
from shared.timeline.model import Aspect

NONE_CREDIT = "no still was made: use one of your own photos"
_EXTENSIONS = {"image/png": "png", "image/jpeg": "jpg", "image/webp": "webp"}


@dataclass(frozen=True)
class StillRequest:
    prompt: str
    aspect: Aspect
    work_dir: Path
    seed: int = 0


@dataclass(frozen=True)
class Still:
    path: Path
    content_type: str


def _no_gpu_models(models: ModelSource | None, name: str) -> str | None:
    if models is None:
        return "no GPU box here (this worker has no local models)"
    return models.missing(name)


def sdxl_link(settings: Settings, models: ModelSource | None) -> Link[StillRequest, Still | None]:
    config = settings.imagery

    def run(request: StillRequest) -> Still | None:
        assert models is not None  # unavailable() said so otherwise
        width, height = generation_size(request.aspect, config.image_long_edge)
        try:
            image = sdxl_image(
                models.pipeline(SDXL), request.prompt, width=width, height=height,
                steps=config.sdxl_steps, seed=request.seed,
            )  # fmt: skip
        except RuntimeError as exc:  # CUDA out of memory and other torch failures
            raise LinkFailed(f"the model failed ({str(exc)[:200]})") from exc
        path = request.work_dir / "still-sdxl.png"
        image.save(path, "PNG")
        return Still(path, "image/png")

    return Link("SDXL", run, lambda: _no_gpu_models(models, SDXL), credit="made by SDXL")


def _checked(data: bytes, content_type: str, path: Path) -> Still:
    extension = _EXTENSIONS.get(content_type)
    if extension is None:
        raise LinkFailed(f"answered with a {content_type} image, which the library does not take")
    out = path.with_suffix(f".{extension}")
    out.write_bytes(data)
    try:
        with Image.open(out) as image:
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError) as exc:
        raise LinkFailed("answered with an image that does not open") from exc
    return Still(out, content_type)


def gemini_link(settings: Settings) -> Link[StillRequest, Still | None]:
    key, config = settings.gemini_api_key, settings.imagery

    def run(request: StillRequest) -> Still | None:
        assert key is not None  # unavailable() said so otherwise
        images = GeminiImages(
            key, config.gemini_image_model, config.gemini_image_timeout_ms,
            settings.gemini_base_url,
        )  # fmt: skip
        data, content_type = images.generate(request.prompt, request.aspect.value)
        return _checked(data, content_type, request.work_dir / "still-gemini")

    def unavailable() -> str | None:
        return "GEMINI_API_KEY is not set" if key is None else None

    return Link(
        "Gemini image", run, unavailable, credit=f"made by Gemini ({config.gemini_image_model})"
    )


def none_link() -> Link[StillRequest, Still | None]:
    return Link("none", lambda request: None, credit=NONE_CREDIT)


def still_links(
    settings: Settings, models: ModelSource | None
) -> list[Link[StillRequest, Still | None]]:
    return [sdxl_link(settings, models), gemini_link(settings), none_link()]


def make_still(
    request: StillRequest, settings: Settings, models: ModelSource | None
) -> ChainResult[Still | None]:
    return run_chain("image", still_links(settings, models), request)
