"""The local models the GPU links use, named by their folder under CS_MODELS_DIR, and the port
through which a link gets one loaded (gpu_subscriber/models.py keeps them warm)."""

from __future__ import annotations

from typing import Any, Protocol

SDXL = "sdxl"
WAN_T2V = "wan-t2v"
WAN_I2V = "wan-i2v"
MUSICGEN = "musicgen"  # the music chain's (shared/music) transformers MusicGen


class ModelSource(Protocol):
    def missing(self, name: str) -> str | None:
        """Why model ``name`` cannot be used here (None: it can)."""
        ...

    def pipeline(self, name: str) -> Any:
        """The loaded pipeline (loaded now if it is not warm)."""
        ...
