"""``createstudio render``: exit codes, messages and outputs, on tiny real media."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from examples.make_media import draw_photo
from shared.cli.main import main
from shared.pipeline.offline_audio import write_wav
from shared.render.media.probe import probe_streams
from tests.music_bed import music_bed
from tests.signals import synthetic_speech as speech_like

pytestmark = pytest.mark.ffmpeg
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A timeline file with its media beside it, as a user would have it."""
    (tmp_path / "media").mkdir()
    draw_photo(31, 480, 360).save(tmp_path / "media" / "a.jpg", "JPEG")
    draw_photo(32, 360, 480).save(tmp_path / "media" / "b.webp", "WEBP")
    write_wav(tmp_path / "media" / "voice.wav", speech_like(1.2, seed=2))
    write_wav(tmp_path / "media" / "music.wav", music_bed(2.0))
    write_timeline(tmp_path / "ad.json")
    return tmp_path


def write_timeline(path: Path, **changes: Any) -> None:
    doc: dict[str, Any] = {
        "format": {"aspect": "16:9", "fps": 25},
        "video": [
            {"kind": "photo", "source": "media/a.jpg", "duration_ms": 1000,
             "transition": {"type": "wipeleft", "duration_ms": 200}},
            {"kind": "photo", "source": "media/b.webp", "duration_ms": 1000},
        ],
        "texts": [{"role": "cta", "text": "Call 555-0100", "start_ms": 900, "end_ms": 1800}],
        "voice": {"source": "media/voice.wav", "offset_ms": 100},
        "music": {"source": "media/music.wav"},
    }  # fmt: skip
    doc.update(changes)
    path.write_text(json.dumps(doc))


def render(*args: str) -> int:
    return main(["render", *args])


def test_renders_and_prints_a_summary(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = project / "out" / "ad.mp4"
    assert render(str(project / "ad.json"), "-o", str(out), "--preview") == 0
    captured = capsys.readouterr()
    assert captured.out.startswith(f"wrote {out} (1.80 s, 640x360 at 25 fps, 45 frames")
    assert "LUFS" in captured.out and f"poster {out.with_suffix('.jpg')}" in captured.out
    assert "Rendering video" in captured.err  # the progress bar
    facts = probe_streams(out, count_frames=True)
    assert facts.video is not None and facts.video.frame_count == 45
    assert out.with_suffix(".jpg").exists()


def test_format_override(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = project / "tall.mp4"
    code = render(str(project / "ad.json"), "-o", str(out), "--preview", "--format", "9:16", "-q")
    assert code == 0, capsys.readouterr().err
    video = probe_streams(out).video
    assert video is not None and (video.width, video.height) == (360, 640)


def test_segmented_render_matches_the_single_pass(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    single, split = project / "single.mp4", project / "split.mp4"
    assert render(str(project / "ad.json"), "-o", str(single), "--preview", "-q") == 0
    code = render(
        str(project / "ad.json"), "-o", str(split), "--preview", "-q", "--segments", "2",
        "--cache-dir", str(project / "cache"),
    )  # fmt: skip
    assert code == 0, capsys.readouterr().err
    a, b = probe_streams(single, count_frames=True), probe_streams(split, count_frames=True)
    assert a.video is not None and b.video is not None
    assert a.video.frame_count == b.video.frame_count == 45
    assert any((project / "cache").iterdir())


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        (lambda p: (p / "ad.json").unlink(), "ad.json: no such file"),
        (lambda p: (p / "ad.json").write_text("{nope"), "timeline is not valid JSON"),
        (lambda p: write_timeline(p / "ad.json", format={"fps": 29}), "format.fps"),
        (lambda p: (p / "media" / "a.jpg").unlink(), "'media/a.jpg': no such file"),
        (
            lambda p: (p / "media" / "voice.wav").write_text("#EXTM3U\nhttp://10.0.0.1/a.ts\n"),
            "voice.source (media/voice.wav): voice.wav: not audio: it is an HLS playlist",
        ),
        (
            lambda p: write_timeline(
                p / "ad.json",
                video=[{"kind": "photo", "source": "../outside.jpg", "duration_ms": 1000}],
            ),
            "video[0].source",
        ),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    project: Path, capsys: pytest.CaptureFixture[str], setup: Any, message: str
) -> None:
    setup(project)
    out = project / "x.mp4"
    assert render(str(project / "ad.json"), "-o", str(out), "--preview", "-q") == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: ") and message in err and "\n" not in err
    assert not out.exists()


def test_output_must_be_mp4(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert render(str(project / "ad.json"), "-o", str(project / "ad.avi"), "-q") == 2
    assert capsys.readouterr().err.strip() == "error: output 'ad.avi': must be an .mp4 file"


def test_bad_segment_count(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert render(str(project / "ad.json"), "-o", str(project / "x.mp4"), "--segments", "0") == 2
    assert "--segments must be 1 or more" in capsys.readouterr().err


def test_unwritable_work_folder_is_exit_1(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = project / "not-a-folder"
    blocker.write_text("x")
    code = render(
        str(project / "ad.json"), "-o", str(project / "x.mp4"), "-q", "--preview",
        "--work-dir", str(blocker),
    )  # fmt: skip
    assert code == 1
    assert capsys.readouterr().err.startswith("render failed: ")


def test_the_installed_command_runs(project: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "shared.cli.main", "render", "--help"],
        cwd=REPO, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0
    for flag in ("-o OUTPUT", "--format", "--preview", "--segments N"):
        assert flag in done.stdout
