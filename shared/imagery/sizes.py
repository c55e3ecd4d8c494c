"""Sizes the generators are asked for (pure): the project's aspect at a model's long edge."""

from __future__ import annotations

from shared.timeline.model import Aspect

MULTIPLE = 16  # Wan needs multiples of 16; SDXL's VAE needs 8


def generation_size(aspect: Aspect, long_edge: int) -> tuple[int, int]:
    """(width, height) of the aspect's shape, long side ``long_edge``, multiples of 16."""
    long_side = max(MULTIPLE, long_edge // MULTIPLE * MULTIPLE)
    if aspect is Aspect.SQUARE:
        return long_side, long_side
    short = max(MULTIPLE, round(long_side * 9 / 16 / MULTIPLE) * MULTIPLE)
    return (long_side, short) if aspect is Aspect.LANDSCAPE else (short, long_side)
