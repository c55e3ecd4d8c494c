"""MusicGen through transformers, loaded from a local folder only (notes/provider-apis.md §4.2).

The folder holds what ``save_pretrained`` writes for the model and its processor. MusicGen makes
50 EnCodec frames a second with a 3-step codebook delay, so ``seconds`` of audio take
``seconds * 50 + 3`` new tokens; it was trained on 30 s clips, so a longer bed is looped by the
fit (shared/music/fit.py) rather than generated.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

log = logging.getLogger(__name__)

FRAMES_PER_S, DELAY_TOKENS = 50, 3


@dataclass(frozen=True)
class MusicGen:
    model: Any
    processor: Any
    device: str

    @property
    def rate(self) -> int:
        return int(self.model.config.audio_encoder.sampling_rate)


def load_musicgen(folder: Path, device: str) -> MusicGen:
    import torch
    from transformers import AutoProcessor, MusicgenForConditionalGeneration

    cuda = device.startswith("cuda")
    model: Any = MusicgenForConditionalGeneration.from_pretrained(
        folder, local_files_only=True, dtype=torch.float16 if cuda else torch.float32
    )
    model.to(device).eval()
    processor = AutoProcessor.from_pretrained(folder, local_files_only=True)  # type: ignore[no-untyped-call]
    log.info("musicgen loaded", extra={"folder": str(folder), "device": device})
    return MusicGen(model, processor, device)


def musicgen_audio(musicgen: MusicGen, prompt: str, *, seconds: float, seed: int) -> np.ndarray:
    """``seconds`` of music for ``prompt`` as float32 (frames x channels) at ``musicgen.rate``."""
    import torch

    torch.manual_seed(seed)
    inputs = musicgen.processor(text=[prompt], padding=True, return_tensors="pt")
    tokens = int(seconds * FRAMES_PER_S) + DELAY_TOKENS
    with torch.inference_mode():
        audio = musicgen.model.generate(
            **inputs.to(musicgen.device), max_new_tokens=tokens, do_sample=True, guidance_scale=3.0
        )
    return np.asarray(audio[0].float().cpu().numpy().T, dtype=np.float32)
