"""SDXL stills through diffusers, loaded from a local folder only (no Hub, no downloads).

fp16 on CUDA; on a CPU (tests, a box without CUDA) float32, since half precision is slow or
unsupported there. The VAE decodes in slices and tiles so a large still fits next to other
models; whole-model CPU offload exists only on an accelerator (it raises on a CPU), so it is
asked for only there (notes/provider-apis.md §3.3).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from PIL import Image

log = logging.getLogger(__name__)


def load_sdxl(folder: Path, device: str, *, offload: bool = False) -> Any:
    import torch
    from diffusers import StableDiffusionXLPipeline

    cuda = device.startswith("cuda")
    pipe = StableDiffusionXLPipeline.from_pretrained(  # type: ignore[no-untyped-call]
        folder, local_files_only=True, dtype=torch.float16 if cuda else torch.float32
    )
    pipe.vae.enable_slicing()
    pipe.vae.enable_tiling()
    if cuda and offload:
        pipe.enable_model_cpu_offload()
    else:
        pipe.to(device)
    pipe.set_progress_bar_config(disable=True)
    log.info("sdxl loaded", extra={"folder": str(folder), "device": device})
    return pipe


def sdxl_image(
    pipe: Any, prompt: str, *, width: int, height: int, steps: int, seed: int
) -> Image.Image:
    """One still for ``prompt`` (``width``/``height`` multiples of the VAE's scale)."""
    import torch

    generator = torch.Generator(device="cpu").manual_seed(seed)
    out = pipe(
        prompt=prompt, width=width, height=height, num_inference_steps=steps,
        generator=generator, output_type="pil",
    )  # fmt: skip
    image: Image.Image = out.images[0]
    return image
