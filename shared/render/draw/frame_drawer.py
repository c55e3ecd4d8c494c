"""Draw a ``DrawnChunk``'s frames in process and write them, raw yuv420p, to a file descriptor
(the encoder's stdin): Ken Burns by ``resample``, fades by a weighted sum, wipes and slides by
``blends``, texts by sprites.

Photos are loaded when their clip first shows and dropped when it ends, so at most two (the
ones a fade mixes) are held, whatever the number of photos.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import numpy as np

from shared.errors import Cancelled
from shared.render.draw import photo_cover, resample
from shared.render.draw.blends import blend_planes
from shared.render.draw.frame_plan import DrawnChunk, DrawnClip, frame_at
from shared.render.draw.opencv import cv2
from shared.render.graph.overlays import fade_factor
from shared.render.text.text_sprites import SpriteBook
from shared.timeline import TransitionType


class _Frame:
    """One contiguous raw yuv420p frame and its three plane views."""

    def __init__(self, width: int, height: int) -> None:
        luma, chroma = width * height, width * height // 4
        self.data = np.empty(luma + 2 * chroma, np.uint8)
        self.planes = (
            self.data[:luma].reshape(height, width),
            self.data[luma : luma + chroma].reshape(height // 2, width // 2),
            self.data[luma + chroma :].reshape(height // 2, width // 2),
        )
        # The three planes as one 2-D array (cv2 takes no 1-D input): for whole-frame mixes.
        self.rows = self.data.reshape(-1, width)


class _Photos:
    """Each clip's picture, loaded on first use: a finished frame for a still, else a cover."""

    def __init__(self, size: tuple[int, int]) -> None:
        self._size = size
        self._loaded: dict[int, bytes | photo_cover.Cover] = {}

    def get(self, clip: DrawnClip) -> bytes | photo_cover.Cover:
        if clip.index not in self._loaded:
            path = Path(clip.path)
            if clip.motion is None:
                self._loaded[clip.index] = photo_cover.load_still(path, clip.fit, self._size)
            else:
                self._loaded[clip.index] = photo_cover.load_cover(
                    path, clip.fit, self._size, clip.zoom
                )
        return self._loaded[clip.index]

    def keep_only(self, indices: set[int]) -> None:
        for index in [i for i in self._loaded if i not in indices]:
            del self._loaded[index]


def _draw_clip(photos: _Photos, clip: DrawnClip, frame: int, into: _Frame) -> None:
    picture = photos.get(clip)
    if isinstance(picture, bytes):
        into.data[:] = np.frombuffer(picture, np.uint8)
        return
    window = clip.window(frame, picture.width, picture.height)
    for i, (plane, out) in enumerate(zip(picture.planes, into.planes, strict=True)):
        s = 1 if i == 0 else 2
        resample.sample_window(plane, window.x / s, window.y / s, window.w / s, window.h / s, out)


def _write_all(fd: int, data: np.ndarray) -> None:
    view = data.data.cast("B")
    while view:
        view = view[os.write(fd, view) :]


def draw_chunk(
    chunk: DrawnChunk,
    sink: int,
    *,
    sprites: SpriteBook,
    stopped: Callable[[], bool],
    tap: Callable[[int, np.ndarray], None] | None = None,
) -> int:
    """Write the chunk's frames to ``sink``; returns the bytes written. ``stopped`` is polled
    every frame (Cancelled when it is set); ``tap`` sees each finished frame (its number and
    its raw bytes, valid only during the call). A closed ``sink`` raises BrokenPipeError."""
    width, height = chunk.size
    main, other = _Frame(width, height), _Frame(width, height)
    photos = _Photos(chunk.size)
    written = 0
    for frame in range(chunk.first, chunk.last):
        if stopped():
            raise Cancelled("drawing frames: stopped")
        parts = frame_at(chunk, frame)
        photos.keep_only({parts.base.index} | ({parts.incoming.index} if parts.incoming else set()))
        _draw_clip(photos, parts.base, frame, main)
        if parts.incoming is not None:
            _draw_clip(photos, parts.incoming, frame, other)
            kind = parts.incoming.span.transition_in
            if kind is TransitionType.FADE:
                mix = parts.mix
                cv2.addWeighted(main.rows, 1 - mix, other.rows, mix, 0, dst=main.rows)
            else:
                blend_planes(kind, main.planes, other.planes, parts.step, parts.steps)
        for text in parts.texts:
            sprites.get(text).draw(main.planes, min(1.0, fade_factor(text, frame)))
        sprites.release_before(frame + 1)
        if tap is not None:
            tap(frame, main.data)
        _write_all(sink, main.data)
        written += main.data.size
    return written
