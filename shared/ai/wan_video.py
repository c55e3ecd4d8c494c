"""Wan 2.1 clips through diffusers (text-to-video and image-to-video), from local folders only.

Upstream's recipe keeps the VAE (and the I2V image encoder) in float32 and the rest in bf16 on
CUDA; on a CPU everything is float32. ``num_frames`` must be 4k+1 and the size a multiple of 16
(notes/provider-apis.md §3.2); frames come back as floats in [0, 1] and are written with
diffusers' ``export_to_video`` (imageio-ffmpeg).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from PIL import Image

log = logging.getLogger(__name__)

WAN_FPS = 16


def _load(folder: Path, device: str, *, image_to_video: bool, offload: bool) -> Any:
    import torch
    from diffusers import AutoencoderKLWan, WanImageToVideoPipeline, WanPipeline

    cuda = device.startswith("cuda")
    dtype = torch.bfloat16 if cuda else torch.float32
    vae = AutoencoderKLWan.from_pretrained(  # type: ignore[no-untyped-call]
        folder, subfolder="vae", local_files_only=True, dtype=torch.float32
    )
    kind = WanImageToVideoPipeline if image_to_video else WanPipeline
    extra: dict[str, Any] = {}
    if image_to_video:
        from transformers import CLIPVisionModel

        extra["image_encoder"] = CLIPVisionModel.from_pretrained(
            folder, subfolder="image_encoder", local_files_only=True, dtype=torch.float32
        )
    pipe = kind.from_pretrained(  # type: ignore[no-untyped-call]
        folder, vae=vae, local_files_only=True, dtype=dtype, **extra
    )
    pipe.vae.enable_slicing()
    if cuda and offload:
        pipe.enable_model_cpu_offload()
    else:
        pipe.to(device)
    pipe.set_progress_bar_config(disable=True)
    log.info("wan loaded", extra={"folder": str(folder), "i2v": image_to_video})
    return pipe


def load_wan_t2v(folder: Path, device: str, *, offload: bool = False) -> Any:
    return _load(folder, device, image_to_video=False, offload=offload)


def load_wan_i2v(folder: Path, device: str, *, offload: bool = False) -> Any:
    return _load(folder, device, image_to_video=True, offload=offload)


def frame_count(duration_s: float, fps: int = WAN_FPS) -> int:
    """The 4k+1 frame count nearest ``duration_s`` at ``fps`` (at least 5)."""
    return max(1, round(duration_s * fps / 4)) * 4 + 1


def wan_clip(
    pipe: Any,
    prompt: str,
    out: Path,
    *,
    image: Image.Image | None,
    width: int,
    height: int,
    frames: int,
    steps: int,
    seed: int,
) -> Path:
    """An MP4 at ``out`` (``WAN_FPS``): image-to-video when ``image`` is given, else text."""
    import torch
    from diffusers.utils.export_utils import export_to_video

    generator = torch.Generator(device="cpu").manual_seed(seed)
    extra = {} if image is None else {"image": image.convert("RGB").resize((width, height))}
    result = pipe(
        prompt=prompt, height=height, width=width, num_frames=frames,
        num_inference_steps=steps, generator=generator, output_type="np", **extra,
    )  # fmt: skip
    export_to_video(list(result.frames[0]), str(out), fps=WAN_FPS, macro_block_size=1)
    return out
