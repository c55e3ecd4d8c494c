"""Wipes and slides drawn in numpy against FFmpeg's own xfade on the same two pictures: every
overlap frame, every plane size the renderer uses, pixel for pixel."""

from __future__ import annotations

import subprocess
from pathlib import Path

import imageio_ffmpeg
import numpy as np
import pytest

from shared.render.draw.blends import SLIDES, WIPES, blend_planes
from shared.timeline import TransitionType

FFMPEG = imageio_ffmpeg.get_ffmpeg_exe()
STEPS = 9  # 300 ms at 30 fps


def _xfade(kind: TransitionType, a: np.ndarray, b: np.ndarray, folder: Path) -> np.ndarray:
    """The overlap frames of xfade from still ``a`` into still ``b`` (gray planes), as the
    compiler's graph runs it on one plane."""
    height, width = a.shape
    raw = ["-f", "rawvideo", "-pix_fmt", "gray", "-s", f"{width}x{height}", "-framerate", "30"]
    inputs = []
    for name, picture in (("a.gray", a), ("b.gray", b)):
        picture.tofile(folder / name)
        inputs += [*raw, "-i", str(folder / name)]
    graph = (
        f"[0:v]loop=loop={STEPS - 1}:size=1:start=0,settb=1/30,setpts=N[a];"
        f"[1:v]loop=loop={STEPS - 1}:size=1:start=0,settb=1/30,setpts=N[b];"
        f"[a][b]xfade=transition={kind.value}:duration=0.3:offset=0[out]"
    )
    argv = [FFMPEG, "-v", "error", *inputs, "-filter_complex", graph, "-map", "[out]"]
    argv += ["-frames:v", str(STEPS), "-f", "rawvideo", "-pix_fmt", "gray", "pipe:1"]
    done = subprocess.run(argv, capture_output=True, check=True, timeout=60)
    return np.frombuffer(done.stdout, np.uint8).reshape(STEPS, height, width)


@pytest.mark.ffmpeg
@pytest.mark.parametrize("kind", sorted(WIPES | SLIDES, key=lambda k: k.value))
@pytest.mark.parametrize("size", [(64, 36), (32, 18)])  # a luma plane and its chroma planes
def test_wipes_and_slides_match_xfade(
    kind: TransitionType, size: tuple[int, int], tmp_path: Path
) -> None:
    width, height = size
    rng = np.random.default_rng(11)
    a = rng.integers(0, 120, (height, width), dtype=np.uint8)
    b = rng.integers(130, 256, (height, width), dtype=np.uint8)
    expected = _xfade(kind, a, b, tmp_path)
    for step in range(STEPS):
        ours = a.copy()
        blend_planes(kind, [ours], [b], step, STEPS)
        differ = ours != expected[step]
        if step == 0 and kind is TransitionType.SLIDE_LEFT:
            # At progress 1 xfade's modulo reads one pixel past each line (padding, or the next
            # line) into column 0; we show a's own first column.
            differ[:, 0] = False
        if step == 0 and kind is TransitionType.SLIDE_UP:
            differ[0, :] = False  # the same, one line past the plane
        assert not differ.any(), (step, np.argwhere(differ)[:5].tolist())
    # Something moved: the last overlap frame is mostly b.
    assert (expected[-1] >= 130).mean() > 0.5


def test_other_kinds_are_refused() -> None:
    plane = np.zeros((4, 4), np.uint8)
    with pytest.raises(ValueError, match="not a wipe or a slide"):
        blend_planes(TransitionType.DISSOLVE, [plane], [plane], 1, 3)
