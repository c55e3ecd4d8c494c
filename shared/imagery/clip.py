"""The AI clip chain: Wan 2.1 on this GPU box -> Veo on Vertex AI -> Ken Burns on the still.

With a still (a library photo, or one the still chain made for a text prompt) every link
animates it; without one Wan makes the clip from the text and Veo from the prompt alone, and
Ken Burns has nothing to move. The clip is any size and rate here, except Ken Burns', which is
rendered straight into the project's format (it comes with its poster).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from shared.ai.veo import Veo
from shared.ai.wan_video import frame_count, wan_clip
from shared.chains import ChainResult, Link, LinkFailed, run_chain
from shared.imagery.models import WAN_I2V, WAN_T2V, ModelSource
from shared.imagery.motion import ken_burns
from shared.imagery.sizes import generation_size
from shared.imagery.still import _no_gpu_models
from shared.settings import Settings
from shared.timeline.model import Aspect, Quality
from shared.usage import Allowance

# Downloads a gs:// object of this project to a local path (Veo may answer with a link).
FetchUri = Callable[[str, Path], Path]

VEO_SECONDS = (4, 6, 8)  # what Veo 3.x accepts
KEN_BURNS = "Ken Burns"


@dataclass(frozen=True)
class ClipRequest:
    prompt: str
    still: Path | None
    aspect: Aspect
    fps: int
    duration_s: int
    work_dir: Path
    quality: Quality = Quality.FINAL
    seed: int = 0


@dataclass(frozen=True)
class MadeClip:
    path: Path
    poster: Path | None = None  # set when the clip is already in the project's format


def wan_link(
    settings: Settings, models: ModelSource | None, *, from_still: bool
) -> Link[ClipRequest, MadeClip]:
    config = settings.imagery
    name = WAN_I2V if from_still else WAN_T2V

    def run(request: ClipRequest) -> MadeClip:
        assert models is not None  # unavailable() said so otherwise
        width, height = generation_size(request.aspect, config.clip_long_edge)
        out = request.work_dir / "clip-wan.mp4"
        still = Image.open(request.still) if request.still is not None else None
        try:
            wan_clip(
                models.pipeline(name), request.prompt, out, image=still, width=width,
                height=height, frames=frame_count(request.duration_s), steps=config.wan_steps,
                seed=request.seed,
            )  # fmt: skip
        except RuntimeError as exc:  # CUDA out of memory and other torch failures
            raise LinkFailed(f"the model failed ({str(exc)[:200]})") from exc
        finally:
            if still is not None:
                still.close()
        return MadeClip(out)

    return Link(
        "Wan 2.1", run, lambda: _no_gpu_models(models, name), credit=f"made by Wan 2.1 ({name})"
    )


def veo_link(
    settings: Settings, fetch_uri: FetchUri | None, allowance: Allowance | None = None
) -> Link[ClipRequest, MadeClip]:
    config = settings.imagery

    def run(request: ClipRequest) -> MadeClip:
        assert config.veo_model is not None  # unavailable() said so otherwise
        seconds = min(VEO_SECONDS, key=lambda s: abs(s - request.duration_s))
        refused = allowance.take(seconds) if allowance else None
        if refused:
            raise LinkFailed(refused)
        veo = Veo(
            settings.project_id, config.vertex_location, config.veo_model,
            poll_s=config.veo_poll_ms / 1000, deadline_s=config.veo_deadline_s,
            base_url=config.veo_base_url, access_token=config.veo_access_token,
        )  # fmt: skip
        image = None if request.still is None else request.still.read_bytes()
        mime = "image/png" if request.still is None else _mime(request.still)
        aspect = "9:16" if request.aspect is Aspect.PORTRAIT else "16:9"
        video = veo.generate(
            request.prompt, image=image, image_mime_type=mime, duration_s=seconds,
            aspect_ratio=aspect,
        )  # fmt: skip
        out = request.work_dir / "clip-veo.mp4"
        if video.video_bytes:
            out.write_bytes(video.video_bytes)
        elif video.uri and fetch_uri is not None:
            fetch_uri(video.uri, out)
        else:
            raise LinkFailed(f"answered with {video.uri}, which this worker cannot read")
        return MadeClip(out)

    def unavailable() -> str | None:
        return "CS_VEO_MODEL is not set" if config.veo_model is None else None

    return Link("Veo", run, unavailable, credit=f"made by Veo ({config.veo_model})")


def _mime(path: Path) -> str:
    with Image.open(path) as image:
        return Image.MIME.get(image.format or "", "image/png")


def ken_burns_link(*, from_still: bool) -> Link[ClipRequest, MadeClip]:
    def run(request: ClipRequest) -> MadeClip:
        assert request.still is not None  # unavailable() said so otherwise
        out = request.work_dir / "clip-kenburns.mp4"
        done = ken_burns(
            request.still, out, duration_ms=request.duration_s * 1000, aspect=request.aspect,
            fps=request.fps, quality=request.quality,
        )  # fmt: skip
        return MadeClip(out, poster=done.poster_path)

    def unavailable() -> str | None:
        return None if from_still else "no still to move (none was given or made)"

    return Link(
        KEN_BURNS, run, unavailable, credit="a Ken Burns move on the still instead of an AI clip"
    )


def clip_links(
    request: ClipRequest,
    settings: Settings,
    models: ModelSource | None,
    fetch_uri: FetchUri | None = None,
    allowance: Allowance | None = None,
) -> list[Link[ClipRequest, MadeClip]]:
    from_still = request.still is not None
    return [
        wan_link(settings, models, from_still=from_still),
        veo_link(settings, fetch_uri, allowance),
        ken_burns_link(from_still=from_still),
    ]


def make_clip(
    request: ClipRequest,
    settings: Settings,
    models: ModelSource | None,
    fetch_uri: FetchUri | None = None,
    allowance: Allowance | None = None,
) -> ChainResult[MadeClip]:
    """The first link's clip (Veo's seconds count against ``allowance``, the person's day).
    Raises ChainExhausted when none answered (no still for Ken Burns)."""
    links = clip_links(request, settings, models, fetch_uri, allowance)
    return run_chain("clip", links, request)
