"""Probing by content: the demuxer comes from the bytes, never from the file name."""

from __future__ import annotations

import subprocess
from pathlib import Path

import imageio_ffmpeg
import numpy as np
import pytest
from PIL import Image

from shared.errors import InvalidMedia
from shared.pipeline.offline_audio import write_wav
from shared.render.graph.plan import MediaKind
from shared.render.media.probe import (
    describe_text,
    looks_like_text,
    probe_media,
    probe_streams,
    sniff_container,
)

FFMPEG = imageio_ffmpeg.get_ffmpeg_exe()


@pytest.mark.parametrize(
    ("head", "container"),
    [
        (b"RIFF\x24\x00\x00\x00WAVEfmt ", "wav"),
        (b"fLaC\x00\x00\x00\x22", "flac"),
        (b"OggS\x00\x02", "ogg"),
        (b"\x00\x00\x00\x20ftypisom", "mov"),
        (b"\x00\x00\x00\x1cftypM4A ", "mov"),
        (b"\x1a\x45\xdf\xa3\x9f\x42\x86", "matroska"),
        (b"ID3\x04\x00\x00", "mp3"),
        (b"\xff\xfb\x90\x64", "mp3"),
        (b"\xff\xf1\x50\x80", "aac"),
        (b"\xff\xd8\xff\xe0", "image2"),
        (b"\x89PNG\r\n\x1a\n", "image2"),
        (b"RIFF\x24\x00\x00\x00WEBPVP8 ", "image2"),
        (b"#EXTM3U\n", None),
        (b"RIFF\x24\x00\x00\x00AVI LIST", None),
        (b"GIF89a", None),
        (b"", None),
    ],
)
def test_sniff_container(head: bytes, container: str | None) -> None:
    assert sniff_container(head) == container


def test_text_is_recognised_and_described() -> None:
    assert looks_like_text(b"#EXTM3U\n#EXTINF:10,\nhttp://x/y.ts\n")
    assert looks_like_text("caf\u00e9 men\u00fc".encode()[:-1])  # cut inside a character
    assert not looks_like_text(bytes(range(256)))
    assert "HLS playlist" in describe_text(b"  #EXTM3U\n")
    assert "concat list" in describe_text(b"ffconcat version 1.0\n")
    assert "URL" in describe_text(b"see https://example.com/a.mp3")


@pytest.mark.ffmpeg
def test_probe_streams_of_an_mp4(tmp_path: Path) -> None:
    out = tmp_path / "clip.bin"  # no extension to go by
    subprocess.run(
        [FFMPEG, "-v", "error", "-f", "lavfi", "-i", "testsrc2=s=320x180:r=25:d=1.2",
         "-f", "lavfi", "-i", "sine=r=48000:d=1.2", "-c:v", "libx264", "-pix_fmt", "yuv420p",
         "-c:a", "aac", "-f", "mp4", str(out)],
        check=True, timeout=60,
    )  # fmt: skip
    facts = probe_streams(out, count_frames=True)
    assert facts.container == "mov"
    assert facts.video is not None and facts.audio is not None
    assert (facts.video.codec, facts.video.width, facts.video.height) == ("h264", 320, 180)
    assert (facts.video.fps, facts.video.frame_count, facts.video.duration_ms) == (25.0, 30, 1200)
    assert (facts.audio.codec, facts.audio.sample_rate, facts.audio.channels) == ("aac", 48000, 1)
    info = probe_media(out)
    assert info.kind is MediaKind.VIDEO and info.has_audio and info.container == "mov"


def test_probe_media_of_a_photo_and_a_wav(tmp_path: Path) -> None:
    Image.new("RGB", (64, 48), (10, 20, 30)).save(tmp_path / "p.jpg")
    info = probe_media(tmp_path / "p.jpg")
    assert (info.kind, info.width, info.height, info.container) == (
        MediaKind.IMAGE, 64, 48, "image2",
    )  # fmt: skip
    write_wav(tmp_path / "a.wav", np.zeros(24000))
    audio = probe_media(tmp_path / "a.wav")
    assert (audio.kind, audio.duration_ms, audio.container) == (MediaKind.AUDIO, 500, "wav")


def test_probe_refuses_what_it_cannot_read(tmp_path: Path) -> None:
    (tmp_path / "x.mp4").write_text("#EXTM3U\nhttp://127.0.0.1/a.ts\n")
    with pytest.raises(InvalidMedia, match="not an audio or video file"):
        probe_streams(tmp_path / "x.mp4")
    (tmp_path / "y.mp4").write_bytes(b"\x00\x00\x00\x20ftypisom" + bytes(64))
    with pytest.raises(InvalidMedia, match="damaged or unreadable"):
        probe_streams(tmp_path / "y.mp4")
