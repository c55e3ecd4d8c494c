"""The examples: their media generator makes every photo kind, and each timeline renders."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from examples.make_media import draw_photo, make_all
from shared.cli.main import main
from shared.render.media.probe import probe_streams
from shared.timeline.validate import parse_timeline
from tests.render.test_loudness import ebur128

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((REPO / "examples").glob("ad-*.json"))


@pytest.fixture(scope="module")
def examples_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example timelines with freshly generated media, as after `make_media.py`."""
    root = tmp_path_factory.mktemp("examples")
    for path in EXAMPLES:
        shutil.copy(path, root / path.name)
    make_all(root / "media" / "generated")
    return root


def test_drawing_is_deterministic_and_detailed() -> None:
    a, b = draw_photo(7, 320, 240), draw_photo(7, 320, 240)
    assert hashlib.sha256(a.tobytes()).digest() == hashlib.sha256(b.tobytes()).digest()
    assert a.tobytes() != draw_photo(8, 320, 240).tobytes()
    pixels = np.asarray(a, np.float32)
    assert pixels.std() > 25 and len(np.unique(pixels.reshape(-1, 3), axis=0)) > 5000


def test_generated_media_cover_every_photo_kind(examples_copy: Path) -> None:
    media = examples_copy / "media" / "generated"
    kinds = {}
    for name in ("storefront.jpg", "counter.jpg", "portrait.jpg", "pastries.webp",
                 "interior.heic", "logo.png"):  # fmt: skip
        with Image.open(media / name) as im:
            kinds[name] = im.format
            if name == "counter.jpg":
                assert im.getexif().get(0x0112) == 6
            if name == "portrait.jpg":
                assert im.height > im.width
            if name == "logo.png":
                assert im.mode == "RGBA" and im.getchannel("A").getextrema() == (0, 255)
    assert set(kinds.values()) == {"JPEG", "WEBP", "HEIF", "PNG"}
    for sound in ("voice.wav", "music.wav"):
        assert probe_streams(media / sound).audio is not None


@pytest.mark.ffmpeg
@pytest.mark.parametrize("name", [p.name for p in EXAMPLES])
def test_each_example_renders_out_of_the_box(
    examples_copy: Path, name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    out = examples_copy / "out" / name.replace(".json", ".mp4")
    assert main(["render", str(examples_copy / name), "-o", str(out), "--preview", "-q"]) == 0, (
        capsys.readouterr().err
    )
    timeline = parse_timeline((examples_copy / name).read_text())
    facts = probe_streams(out, count_frames=True)
    assert facts.video is not None and facts.audio is not None
    assert abs(facts.video.duration_ms - timeline.duration_ms) <= 1000 / timeline.format.fps
    assert facts.video.fps == timeline.format.fps
    w, h = timeline.format.size
    assert (facts.video.width, facts.video.height) == (w // 3 // 2 * 2, h // 3 // 2 * 2)
    lufs, _ = ebur128(out)
    assert abs(lufs - timeline.loudness.target_lufs) <= 1.0


@pytest.mark.ffmpeg
@pytest.mark.slow
def test_full_1080p_render(examples_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = examples_copy / "out" / "full.mp4"
    assert main(["render", str(examples_copy / "ad-16x9.json"), "-o", str(out), "-q"]) == 0
    summary = capsys.readouterr().out
    facts = probe_streams(out, count_frames=True)
    assert facts.video is not None and facts.audio is not None
    assert (facts.video.width, facts.video.height, facts.video.fps) == (1920, 1080, 30.0)
    assert facts.video.frame_count == 465 and abs(facts.video.duration_ms - 15500) <= 34
    assert (facts.video.profile, facts.video.pix_fmt) == ("High", "yuv420p")
    assert (facts.audio.codec, facts.audio.sample_rate) == ("aac", 48000)
    lufs, peak = ebur128(out)
    assert abs(lufs - -14.0) <= 1.0 and peak <= 0.0
    with Image.open(out.with_suffix(".jpg")) as poster:
        assert poster.size == (1920, 1080)
    assert "1920x1080 at 30 fps, 465 frames" in summary
    assert json.loads((examples_copy / "ad-16x9.json").read_text())["format"]["quality"] == "final"
