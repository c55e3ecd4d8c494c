"""Texts for the in-process renderer: drawn once by FFmpeg's drawtext, composited per frame.

The in-process renderer draws its frames in numpy, but its texts must look exactly like the
graph's (same rasteriser, font, layout, box) and never go near filter syntax unescaped. So each
text is drawn by the very drawtext filter the graph uses (``overlays.drawtext_on``: textfile,
expansion off), once over black and once over white. Drawing over a background is affine in
that background, per pixel: ``out = D + (1 - O) * bg`` in each plane. The two drawings give
the opacity O (from luma: white and black differ by 219 there) and the constant D, so the text
can be put over any frame, at any fade, as drawtext itself would have put it. A text with a box
is drawn as two layers (box, then text), as drawtext fades each of them by its alpha.
"""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from shared.errors import RenderFailed
from shared.render.draw.opencv import cv2
from shared.render.graph.overlays import DrawnText, drawtext_on

_BLACK, _WHITE = (16.0, 128.0, 128.0), (235.0, 128.0, 128.0)


@dataclass(frozen=True)
class Layer:
    """One drawn layer cut to its box: per plane (Y, U, V) the constant D and opacity O,
    float32, placed at (x, y) in luma pixels (even, so the chroma planes line up at half)."""

    x: int
    y: int
    constant: tuple[np.ndarray, np.ndarray, np.ndarray]
    opacity: tuple[np.ndarray, np.ndarray, np.ndarray]

    def draw(self, planes: Sequence[np.ndarray], factor: float) -> None:
        for i, plane in enumerate(planes):
            scale = 1 if i == 0 else 2
            d, o = self.constant[i], self.opacity[i]
            x, y = self.x // scale, self.y // scale
            region = plane[y : y + d.shape[0], x : x + d.shape[1]]
            bg = region.astype(np.float32)
            # out = bg + f * (D - O * bg): f = 1 is drawtext's own result.
            mixed = bg + factor * (d - o * bg)
            np.copyto(region, np.clip(mixed + 0.5, 0, 255), casting="unsafe")


@dataclass(frozen=True)
class Sprite:
    """A text as drawtext draws it: its box layer (if it has a box), then its text layer.
    Kept apart because drawtext fades each by its ``alpha`` (a half-faded text over a
    half-faded box is not a half-faded whole)."""

    layers: tuple[Layer, ...]

    def draw(self, planes: Sequence[np.ndarray], factor: float) -> None:
        """Composite onto the frame's Y, U, V planes at opacity ``factor`` (0-1), in place."""
        for layer in self.layers:
            layer.draw(planes, factor)


def _planes(frame: np.ndarray, width: int, height: int) -> list[np.ndarray]:
    luma, chroma = width * height, width * height // 4
    return [
        frame[:luma].reshape(height, width).astype(np.float32),
        frame[luma : luma + chroma].reshape(height // 2, width // 2).astype(np.float32),
        frame[luma + chroma :].reshape(height // 2, width // 2).astype(np.float32),
    ]


def _layer(over_black: np.ndarray, over_white: np.ndarray, width: int, height: int) -> Layer:
    black, white = _planes(over_black, width, height), _planes(over_white, width, height)
    opacity = 1 - (white[0] - black[0]) / (_WHITE[0] - _BLACK[0])
    np.clip(opacity, 0, 1, out=opacity)
    rows, cols = np.nonzero(opacity > 0)
    if rows.size == 0:  # nothing visible (blank text): a 2x2 sprite that changes nothing
        rows, cols = np.array([0, 1]), np.array([0, 1])
        opacity[:2, :2] = 0
    y0, x0 = int(rows.min()) // 2 * 2, int(cols.min()) // 2 * 2
    y1 = min(height, (int(rows.max()) + 2) // 2 * 2)
    x1 = min(width, (int(cols.max()) + 2) // 2 * 2)
    luma_o = opacity[y0:y1, x0:x1]
    # Chroma is drawn at half size: its opacity is the mean of each 2x2 block of luma's.
    chroma_o = cv2.resize(luma_o, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)
    constants, opacities = [], []
    for i, o in enumerate((luma_o, chroma_o, chroma_o)):
        s = 1 if i == 0 else 2
        drawn = black[i][y0 // s : y1 // s, x0 // s : x1 // s]
        # Over black (bg = k): drawn = D + (1 - O) * k.
        constants.append(np.ascontiguousarray(drawn - (1 - o) * _BLACK[i], np.float32))
        opacities.append(np.ascontiguousarray(o, np.float32))
    return Layer(x0, y0, tuple(constants), tuple(opacities))  # type: ignore[arg-type]


def _layers(item: DrawnText) -> tuple[str | None, ...]:
    return ("box", "text") if item.style.box else (None,)


def draw_sprites(
    items: Sequence[DrawnText], size: tuple[int, int], work_dir: Path, ffmpeg: str
) -> dict[str, Sprite]:
    """Each text (by file name) as a Sprite, drawn by one FFmpeg run in ``work_dir``, where
    the text files already are. Frames 2i and 2i + 1 are layer i over black and over white."""
    if not items:
        return {}
    width, height = size
    layers = [(item, layer) for item in items for layer in _layers(item)]
    draws = ",".join(
        drawtext_on(item, f"eq(floor(n/2),{i})", layer) for i, (item, layer) in enumerate(layers)
    )
    graph = (
        f"color=c=white:s={width}x{height}:r=1:d={2 * len(layers)},format=yuv420p,"
        f"drawbox=c=black:t=fill:enable='not(mod(n,2))',{draws}[out]"
    )
    argv = [ffmpeg, "-nostdin", "-v", "error", "-filter_complex", graph, "-map", "[out]"]
    argv += ["-frames:v", str(2 * len(layers)), "-f", "rawvideo", "-pix_fmt", "yuv420p", "pipe:1"]
    proc = subprocess.Popen(argv, cwd=work_dir, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    frame_bytes = width * height * 3 // 2
    drawn: dict[str, list[Layer]] = {}
    complete = False
    try:
        for item, _ in layers:
            pair = [np.frombuffer(proc.stdout.read(frame_bytes), np.uint8) for _ in range(2)]
            if any(p.size != frame_bytes for p in pair):
                break
            drawn.setdefault(item.file_name, []).append(_layer(pair[0], pair[1], width, height))
        else:
            complete = True
    finally:
        proc.stdout.close()
        stderr = proc.stderr.read().decode("utf-8", "replace")
        proc.stderr.close()
        rc = proc.wait()
    if rc != 0 or not complete:
        raise RenderFailed(f"drawing the texts failed (FFmpeg exited with code {rc})", stderr, rc)
    return {name: Sprite(tuple(found)) for name, found in drawn.items()}


class SpriteBook:
    """Sprites drawn as a render needs them, ``BATCH`` texts per FFmpeg run in the order they
    come on screen, and dropped once shown: a long video with hundreds of captions holds only
    a batch or two of them, not all (at 1080p a boxed caption's sprite is about 2 MB)."""

    BATCH = 16

    def __init__(
        self, items: Sequence[DrawnText], size: tuple[int, int], work_dir: Path, ffmpeg: str
    ) -> None:
        self._waiting = sorted(items, key=lambda t: (t.window.start, t.file_name))
        self._size = size
        self._work_dir = work_dir
        self._ffmpeg = ffmpeg
        self._ready: dict[str, tuple[DrawnText, Sprite]] = {}

    def __len__(self) -> int:
        """How many sprites are held now."""
        return len(self._ready)

    def get(self, item: DrawnText) -> Sprite:
        """``item``'s sprite, drawing it (and the next texts to come on screen) if need be."""
        while item.file_name not in self._ready:
            if not self._waiting:
                raise KeyError(f"{item.file_name} is not a text of this render")
            batch, self._waiting = self._waiting[: self.BATCH], self._waiting[self.BATCH :]
            drawn = draw_sprites(batch, self._size, self._work_dir, self._ffmpeg)
            self._ready.update({t.file_name: (t, drawn[t.file_name]) for t in batch})
        return self._ready[item.file_name][1]

    def release_before(self, frame: int) -> None:
        """Drop the sprites of texts that are off screen for good by ``frame``."""
        for name in [n for n, (t, _) in self._ready.items() if t.window.end <= frame]:
            del self._ready[name]
