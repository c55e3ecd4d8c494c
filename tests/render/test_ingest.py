"""Ingest on real files: what phones produce is accepted, anything else refused clearly."""

from __future__ import annotations

import socket
import struct
import subprocess
import time
import wave
import zlib
from pathlib import Path

import imageio_ffmpeg
import numpy as np
import pytest
import simplejpeg
from PIL import Image, ImageOps

from examples.make_media import draw_logo, draw_photo, save_sideways_jpeg
from shared.errors import InvalidMedia
from shared.pipeline.offline_audio import write_wav
from shared.render.graph.plan import MediaKind
from shared.render.media.ingest import (
    MediaLimits,
    ingest_audio,
    ingest_photo,
    ingest_video,
)
from shared.timeline.model import Fit

FFMPEG = imageio_ffmpeg.get_ffmpeg_exe()
COVER = (640, 360)


def write_bomb_png(path: Path, side: int) -> None:
    """A valid 1-bit PNG of side x side black pixels, compressed row by row (no big buffer)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    packer = zlib.compressobj(9)
    row = b"\x00" * (1 + (side + 7) // 8)  # filter byte + packed bits
    idat = b"".join(packer.compress(row) for _ in range(side)) + packer.flush()
    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")
    )


def ffmpeg(*args: str) -> None:
    subprocess.run([FFMPEG, "-v", "error", "-nostdin", "-y", *args], check=True, timeout=60)


@pytest.fixture(scope="module")
def photo() -> Image.Image:
    return draw_photo(11, 800, 600)


@pytest.mark.parametrize(
    ("name", "fmt"), [("a.jpg", "JPEG"), ("a.png", "PNG"), ("a.webp", "WEBP"), ("a.heic", "HEIF")]
)
def test_each_photo_kind_becomes_a_fresh_rgb_jpeg(
    tmp_path: Path, photo: Image.Image, name: str, fmt: str
) -> None:
    src = tmp_path / name
    photo.save(src, fmt)
    info = ingest_photo(src, tmp_path / "work", box=COVER)
    assert info.kind is MediaKind.IMAGE and info.container == "image2"
    with Image.open(info.path) as out:
        assert out.format == "JPEG" and out.mode == "RGB"
        assert out.size == (info.width, info.height)
        # shrunk to the smallest size that still covers 640x360: 800x600 -> 640x480
        assert out.size == (640, 480)
        assert not out.getexif()
        # the picture survived: close to the source, not a flat colour
        pixels = np.asarray(out, np.float32)
        ref = np.asarray(photo.resize(out.size), np.float32)
        assert np.abs(pixels - ref).mean() < 12
        assert pixels.std() > 20


def test_exif_orientation_6_is_turned_upright(tmp_path: Path) -> None:
    upright = draw_photo(12, 800, 600)
    upright.paste((255, 0, 0), (0, 0, 120, 90))  # a red marker, top left when upright
    src = tmp_path / "sideways.jpg"
    save_sideways_jpeg(upright, src)
    with Image.open(src) as stored:
        assert stored.size == (600, 800)  # as the sensor wrote it
    info = ingest_photo(src, tmp_path / "work", box=COVER)
    assert (info.width, info.height) == (640, 480)
    with Image.open(info.path) as out:
        r, g, b = out.getpixel((20, 20))
        assert r > 200 and g < 60 and b < 60
        assert not out.getexif()  # orientation applied, tag dropped


def test_metadata_is_dropped(tmp_path: Path, photo: Image.Image) -> None:
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {1: "N", 2: (51.0, 30.0, 0.0)}  # GPS
    src = tmp_path / "gps.jpg"
    photo.save(src, "JPEG", exif=exif)
    info = ingest_photo(src, tmp_path / "work", box=COVER)
    raw = Path(info.path).read_bytes()
    assert b"PhoneMaker" not in raw and b"Exif" not in raw


def test_png_alpha_is_flattened_onto_white(tmp_path: Path) -> None:
    src = tmp_path / "logo.png"
    draw_logo(400).save(src, "PNG")
    info = ingest_photo(src, tmp_path / "work", box=(200, 200))
    with Image.open(info.path) as out:
        assert out.mode == "RGB"
        assert min(out.getpixel((1, 1))) > 245  # transparent corner -> white
        r, g, b = out.getpixel((out.width // 2, out.height // 8))
        assert r > 140 and g < 90  # the red badge


def test_large_jpeg_is_decoded_reduced_and_never_upscaled(tmp_path: Path) -> None:
    src = tmp_path / "big.jpg"
    draw_photo(13, 1000, 750).resize((4000, 3000)).save(src, "JPEG", quality=85)
    info = ingest_photo(src, tmp_path / "work", box=(960, 540))
    assert (info.width, info.height) == (960, 720)
    small = tmp_path / "small.jpg"
    draw_photo(14, 320, 240).save(small, "JPEG")
    info = ingest_photo(small, tmp_path / "work", box=(1920, 1080))
    assert (info.width, info.height) == (320, 240)


def test_sixteen_bit_and_palette_pngs_are_normalised(tmp_path: Path) -> None:
    deep = tmp_path / "deep.png"
    ramp = (np.linspace(0, 65535, 300 * 200).reshape(200, 300)).astype(np.uint16)
    Image.fromarray(ramp).save(deep)
    with Image.open(ingest_photo(deep, tmp_path / "w", box=(300, 200)).path) as out:
        lo, hi = out.convert("L").getextrema()
        assert lo < 10 and hi > 240  # the whole range kept, not clipped to white
    pal = tmp_path / "pal.png"
    draw_logo(200).convert("P").save(pal, transparency=0)
    with Image.open(ingest_photo(pal, tmp_path / "w", box=(100, 100)).path) as out:
        assert out.mode == "RGB"


def test_same_photo_is_ingested_once(tmp_path: Path, photo: Image.Image) -> None:
    src = tmp_path / "a.jpg"
    photo.save(src, "JPEG")
    first = ingest_photo(src, tmp_path / "work", box=COVER)
    again = ingest_photo(src, tmp_path / "work", box=COVER)
    assert first == again and len(list((tmp_path / "work").iterdir())) == 1


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "is empty"),
        (bytes(range(256)) * 40, "not a JPEG, PNG, WebP or HEIC"),
        (b"<?php system($_GET['c']); ?>\n", "it is a text file"),
        (b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "not a JPEG, PNG, WebP or HEIC"),
    ],
)
def test_not_a_photo_is_refused(tmp_path: Path, content: bytes, message: str) -> None:
    src = tmp_path / "upload.jpg"
    src.write_bytes(content)
    with pytest.raises(InvalidMedia, match=message):
        ingest_photo(src, tmp_path / "work", box=COVER)


def test_truncated_jpeg_is_refused(tmp_path: Path, photo: Image.Image) -> None:
    whole = tmp_path / "whole.jpg"
    photo.save(whole, "JPEG", quality=90)
    cut = tmp_path / "cut.jpg"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    with pytest.raises(InvalidMedia, match="damaged or incomplete"):
        ingest_photo(cut, tmp_path / "work", box=COVER)
    assert not (tmp_path / "work").exists() or not any((tmp_path / "work").iterdir())


@pytest.mark.parametrize("side", [7500, 10000, 20000])
def test_decompression_bomb_is_refused_from_the_header(tmp_path: Path, side: int) -> None:
    src = tmp_path / "bomb.png"
    write_bomb_png(src, side)
    assert src.stat().st_size < 200_000  # tens of KB on disk, hundreds of MB once decoded
    started = time.perf_counter()
    with pytest.raises(InvalidMedia, match="pixels"):
        ingest_photo(src, tmp_path / "work", box=COVER)
    assert time.perf_counter() - started < 1.0


def test_pixel_cap_is_configurable(tmp_path: Path, photo: Image.Image) -> None:
    src = tmp_path / "a.jpg"
    photo.save(src, "JPEG")
    with pytest.raises(InvalidMedia, match="more than the 100000 allowed"):
        ingest_photo(
            src, tmp_path / "work", box=COVER, limits=MediaLimits(max_photo_pixels=100_000)
        )


# ---------------------------------------------------------------------------------------------
# Audio


@pytest.fixture(scope="module")
def tone_wav(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("audio") / "tone.wav"
    t = np.arange(2 * 44100) / 44100
    write_wav(path, 0.3 * np.sin(2 * np.pi * 440 * t), rate=44100)
    return path


@pytest.mark.ffmpeg
@pytest.mark.parametrize(
    ("name", "codec"),
    [
        ("a.wav", []),
        ("a.mp3", ["-c:a", "libmp3lame"]),
        ("a.m4a", ["-c:a", "aac"]),
        ("a.ogg", ["-c:a", "libvorbis"]),
        ("a.opus", ["-c:a", "libopus"]),
        ("a.flac", ["-c:a", "flac"]),
    ],
)
def test_allowed_audio_becomes_48k_wav(
    tmp_path: Path, tone_wav: Path, name: str, codec: list[str]
) -> None:
    src = tmp_path / name
    ffmpeg("-i", str(tone_wav), *codec, str(src))
    disguised = tmp_path / "upload.bin"  # the extension means nothing: content decides
    disguised.write_bytes(src.read_bytes())
    info = ingest_audio(disguised, tmp_path / "work")
    assert info.kind is MediaKind.AUDIO and info.container == "wav"
    assert abs(info.duration_ms - 2000) <= 60
    with wave.open(info.path) as w:
        assert w.getframerate() == 48000 and w.getsampwidth() == 2


def test_hls_playlist_named_mp3_is_refused(tmp_path: Path) -> None:
    src = tmp_path / "voice.mp3"
    src.write_text(
        "#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:10,\nhttp://127.0.0.1:9/secret.ts\n"
        "#EXT-X-ENDLIST\n"
    )
    with pytest.raises(InvalidMedia, match="HLS playlist"):
        ingest_audio(src, tmp_path / "work")


def test_concat_list_named_wav_is_refused(tmp_path: Path) -> None:
    src = tmp_path / "music.wav"
    src.write_text("ffconcat version 1.0\nfile '/etc/passwd'\n")
    with pytest.raises(InvalidMedia, match="concat list"):
        ingest_audio(src, tmp_path / "work")


def test_truncated_wav_is_damaged(tmp_path: Path, tone_wav: Path) -> None:
    cut = tmp_path / "cut.wav"
    cut.write_bytes(tone_wav.read_bytes()[: tone_wav.stat().st_size // 2])
    with pytest.raises(InvalidMedia, match="audio file is damaged.*cut short"):
        ingest_audio(cut, tmp_path / "work")
    assert not any((tmp_path / "work").glob("*"))


def test_audio_duration_cap(tmp_path: Path, tone_wav: Path) -> None:
    with pytest.raises(InvalidMedia, match="longer than the 1 s allowed"):
        ingest_audio(tone_wav, tmp_path / "work", limits=MediaLimits(max_audio_ms=1000))


@pytest.mark.ffmpeg
def test_video_without_sound_is_not_audio(tmp_path: Path) -> None:
    src = tmp_path / "clip.m4a"
    ffmpeg("-f", "lavfi", "-i", "testsrc2=s=64x64:d=0.5", "-c:v", "libx264", "-f", "mp4", str(src))
    with pytest.raises(InvalidMedia, match="no audio stream"):
        ingest_audio(src, tmp_path / "work")


# ---------------------------------------------------------------------------------------------
# Video


@pytest.mark.ffmpeg
@pytest.mark.parametrize(
    ("name", "codec"), [("a.mp4", ["-c:v", "libx264"]), ("a.webm", ["-c:v", "libvpx-vp9"])]
)
def test_allowed_video_is_probed(tmp_path: Path, name: str, codec: list[str]) -> None:
    src = tmp_path / name
    ffmpeg(
        "-f", "lavfi", "-i", "testsrc2=s=160x90:r=25:d=1", *codec, "-pix_fmt", "yuv420p", str(src)
    )
    info = ingest_video(src)
    assert info.kind is MediaKind.VIDEO
    assert (info.width, info.height, info.fps) == (160, 90, 25.0)
    assert abs(info.duration_ms - 1000) <= 40
    assert info.container == ("mov" if name.endswith("mp4") else "matroska")


@pytest.mark.ffmpeg
def test_video_codec_outside_the_allowlist_is_refused(tmp_path: Path) -> None:
    src = tmp_path / "old.mp4"
    ffmpeg("-f", "lavfi", "-i", "testsrc2=s=160x90:d=0.5", "-c:v", "mpeg4", str(src))
    with pytest.raises(InvalidMedia, match="codec 'mpeg4' is not allowed"):
        ingest_video(src)


@pytest.mark.ffmpeg
def test_avi_is_refused(tmp_path: Path) -> None:
    src = tmp_path / "clip.mp4"
    ffmpeg("-f", "lavfi", "-i", "testsrc2=s=160x90:d=0.5", "-c:v", "mpeg4", "-f", "avi", str(src))
    with pytest.raises(InvalidMedia, match="not video we can use"):
        ingest_video(src)


def test_blur_fit_keeps_only_what_fills_the_frame(tmp_path: Path) -> None:
    src = tmp_path / "portrait.jpg"
    draw_photo(15, 600, 800).save(src, "JPEG")
    crop = ingest_photo(src, tmp_path / "work", box=(640, 360), fit=Fit.CROP)
    blur = ingest_photo(src, tmp_path / "work", box=(640, 360), fit=Fit.BLUR)
    assert (crop.width, crop.height) == (600, 800)  # covering 640 wide would need an upscale
    assert (blur.width, blur.height) == (270, 360)  # standing inside 360 high is enough


def test_cmyk_jpeg_animated_webp_and_polyglot_are_normalised(
    tmp_path: Path, photo: Image.Image
) -> None:
    cmyk = tmp_path / "cmyk.jpg"
    photo.convert("CMYK").save(cmyk, "JPEG")
    with Image.open(ingest_photo(cmyk, tmp_path / "w", box=COVER).path) as out:
        assert out.mode == "RGB"
        assert np.abs(np.asarray(out, np.float32) - np.asarray(photo.resize(out.size))).mean() < 20
    frames = [draw_photo(40 + k, 320, 240) for k in range(3)]
    anim = tmp_path / "anim.webp"
    frames[0].save(anim, "WEBP", save_all=True, append_images=frames[1:], duration=100)
    with Image.open(ingest_photo(anim, tmp_path / "w", box=(320, 240)).path) as out:
        first = np.asarray(frames[0], np.float32)
        assert np.abs(np.asarray(out, np.float32) - first).mean() < 12  # the first frame only
    polyglot = tmp_path / "poly.jpg"
    photo.save(polyglot, "JPEG")
    polyglot.write_bytes(polyglot.read_bytes() + b"PK\x03\x04<script>alert(1)</script>")
    raw = Path(ingest_photo(polyglot, tmp_path / "w", box=COVER).path).read_bytes()
    assert b"<script>" not in raw and b"PK\x03\x04" not in raw


@pytest.mark.ffmpeg
@pytest.mark.parametrize(("name", "codec"), [("a.mp3", "libmp3lame"), ("a.m4a", "aac")])
@pytest.mark.parametrize("damage", ["truncated", "corrupted"])
def test_damaged_compressed_audio_is_refused(
    tmp_path: Path, tone_wav: Path, name: str, codec: str, damage: str
) -> None:
    good = tmp_path / name
    ffmpeg("-i", str(tone_wav), "-c:a", codec, str(good))
    data = bytearray(good.read_bytes())
    if damage == "truncated":
        data = data[: len(data) // 2]
    else:
        noise = np.random.default_rng(1).integers(0, 256, 2000, dtype=np.uint8).tobytes()
        data[len(data) // 3 : len(data) // 3 + 2000] = noise
    bad = tmp_path / f"bad-{name}"
    bad.write_bytes(bytes(data))
    with pytest.raises(InvalidMedia, match="audio file is damaged"):
        ingest_audio(bad, tmp_path / "work")


def test_playlist_pointing_at_a_listener_is_refused_without_a_request(tmp_path: Path) -> None:
    """FF-07: the validator never follows a URL inside an upload (loopback listener sees none)."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        listener.settimeout(0.3)
        port = listener.getsockname()[1]
        for name, body in [
            ("voice.mp3", f"#EXTM3U\n#EXTINF:10,\nhttp://127.0.0.1:{port}/probe.ts\n"),
            ("voice.m3u8", f"#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\nhttp://127.0.0.1:{port}/a\n"),
            ("music.wav", f"ffconcat version 1.0\nfile 'http://127.0.0.1:{port}/x.wav'\n"),
        ]:
            src = tmp_path / name
            src.write_text(body)
            with pytest.raises(InvalidMedia, match="not audio"):
                ingest_audio(src, tmp_path / "work")
        with pytest.raises(TimeoutError):
            listener.accept()  # nobody came


# ---------------------------------------------------------------------------------------------
# Raw photos for the render's working folder


def area_resize(pixels: np.ndarray, width: int, height: int) -> np.ndarray:
    """Each output pixel the mean of the source area it covers, weighted by overlap: the
    expectation, computed by hand, for a shrink by any factor."""

    def weights(n_in: int, n_out: int) -> np.ndarray:
        step = n_in / n_out
        w = np.zeros((n_out, n_in))
        for i in range(n_out):
            lo, hi = i * step, (i + 1) * step
            for j in range(int(lo), min(n_in, int(np.ceil(hi)))):
                w[i, j] = min(hi, j + 1) - max(lo, j)
        return w / step

    rows, cols = weights(pixels.shape[0], height), weights(pixels.shape[1], width)
    return np.einsum("oi,ijc,pj->opc", rows, pixels.astype(np.float64), cols, optimize=True)


def read_ppm(path: Path) -> np.ndarray:
    """A P6 file as we write it: the bare header and then exactly the pixels, nothing else."""
    data = path.read_bytes()
    magic, size, depth, pixels = data.split(b"\n", 3)
    width, height = map(int, size.split())
    assert (magic, depth, len(pixels)) == (b"P6", b"255", width * height * 3)
    return np.frombuffer(pixels, np.uint8).reshape(height, width, 3)


def ffmpeg_rgb(path: Path, width: int, height: int) -> np.ndarray:
    """The first frame as the compiler feeds a photo to FFmpeg (image2, no pattern, 30 fps)."""
    # fmt: off
    out = subprocess.run(
        [FFMPEG, "-v", "error", "-nostdin", "-f", "image2", "-pattern_type", "none",
         "-framerate", "30", "-i", str(path), "-frames:v", "1", "-f", "rawvideo",
         "-pix_fmt", "rgb24", "pipe:1"],
        check=True, capture_output=True, timeout=60,
    ).stdout
    # fmt: on
    assert len(out) == width * height * 3, "FFmpeg decoded a different size"
    return np.frombuffer(out, np.uint8).reshape(height, width, 3)


@pytest.mark.ffmpeg
def test_raw_photo_is_an_upright_area_shrunk_ppm_ffmpeg_reads(tmp_path: Path) -> None:
    upright = draw_photo(16, 800, 600)
    upright.paste((255, 0, 0), (0, 0, 120, 90))  # a red marker, top left when upright
    src = tmp_path / "sideways.jpg"
    save_sideways_jpeg(upright, src)
    work = tmp_path / "work"
    info = ingest_photo(src, work, box=COVER, raw=True)
    out = Path(info.path)
    assert out.name.startswith("photo-") and out.suffix == ".ppm"
    assert info.kind is MediaKind.IMAGE and info.container == "image2"
    pixels = read_ppm(out)
    # 800x600 just covers 640x360 at 640x480 (1.25x, too little for a reduced JPEG decode)
    assert (info.width, info.height) == (640, 480) == pixels.shape[1::-1]
    assert pixels[:60, :80].reshape(-1, 3).mean(0) @ (1, -1, -1) > 150  # red, top left
    # libjpeg decodes at 7/8 (the smallest of its scales still covering the box), then the
    # area shrink: the same steps by hand give the same pixels...
    seven_eighths = simplejpeg.decode_jpeg(src.read_bytes(), "RGB", min_width=480, min_height=640)
    assert seven_eighths.shape == (700, 525, 3)
    expected = area_resize(np.rot90(seven_eighths, k=-1), 640, 480)  # orientation 6: clockwise
    assert np.abs(pixels - expected).max() <= 1
    # ...and the picture is the full decode's, up to the scaled decode's own filtering.
    with Image.open(src) as stored:
        full = area_resize(np.rot90(np.asarray(stored.convert("RGB")), k=-1), 640, 480)
    assert np.abs(pixels - full).mean() < 1.5
    assert np.array_equal(ffmpeg_rgb(out, 640, 480), pixels)
    # the same upload as a JPEG to keep sits beside it, with the same picture up to JPEG loss
    kept = ingest_photo(src, work, box=COVER)
    assert kept.path != info.path and (kept.width, kept.height) == (640, 480)
    with Image.open(kept.path) as jpeg:
        assert np.abs(np.asarray(jpeg, np.float64) - pixels).mean() < 2
    assert ingest_photo(src, work, box=COVER, raw=True) == info  # reused: header read back
    assert len(list(work.iterdir())) == 2


@pytest.mark.ffmpeg
def test_raw_photo_alpha_is_flattened_and_small_photos_kept_exact(tmp_path: Path) -> None:
    logo = draw_logo(400)
    src = tmp_path / "logo.png"
    logo.save(src, "PNG")
    info = ingest_photo(src, tmp_path / "work", box=(200, 200), raw=True)
    pixels = read_ppm(Path(info.path))
    rgba = np.asarray(logo, np.float64)
    alpha = rgba[..., 3:] / 255
    flat = rgba[..., :3] * alpha + 255 * (1 - alpha)  # onto white
    assert np.abs(pixels - area_resize(flat, 200, 200)).max() <= 2
    assert min(pixels[1, 1]) > 245  # a transparent corner
    assert np.array_equal(ffmpeg_rgb(Path(info.path), 200, 200), pixels)
    # never upscaled: a lossless source smaller than the box comes back pixel for pixel
    small = tmp_path / "small.png"
    draw_photo(17, 320, 240).save(small, "PNG")
    info = ingest_photo(small, tmp_path / "work", box=(1920, 1080), raw=True)
    assert (info.width, info.height) == (320, 240)
    with Image.open(small) as original:
        assert np.array_equal(read_ppm(Path(info.path)), np.asarray(original))


@pytest.mark.parametrize("orientation", range(1, 9))
def test_every_exif_orientation_stands_upright_like_pillows(
    tmp_path: Path, photo: Image.Image, orientation: int
) -> None:
    """The fast JPEG decode turns photos itself: each EXIF orientation as exif_transpose does."""
    exif = Image.Exif()
    exif[0x0112] = orientation
    src = tmp_path / f"o{orientation}.jpg"
    photo.save(src, "JPEG", quality=95, exif=exif)
    with Image.open(src) as im:
        expected = np.asarray(ImageOps.exif_transpose(im).convert("RGB"), np.float32)
    big = (expected.shape[1] * 2, expected.shape[0] * 2)  # no shrink: compare pixel for pixel
    out = ingest_photo(src, tmp_path / "w", box=big, raw=True)
    with Image.open(out.path) as done:
        got = np.asarray(done, np.float32)
    assert got.shape == expected.shape
    assert np.abs(got - expected).mean() < 1.0


def test_a_jpeg_libjpeg_warns_about_is_left_to_pillow(
    tmp_path: Path, photo: Image.Image, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The fast decode is strict; a warning (stray bytes in a phone's file) must not refuse a
    photo Pillow can show: Pillow decodes it instead."""
    src = tmp_path / "stray.jpg"
    photo.save(src, "JPEG", quality=90)

    def strict(*args: object, **kwargs: object) -> None:
        raise ValueError("Corrupt JPEG data: 2 extraneous bytes before marker 0xd9")

    monkeypatch.setattr(simplejpeg, "decode_jpeg", strict)
    out = ingest_photo(src, tmp_path / "w", box=COVER, raw=True)
    assert out.width >= COVER[0] and out.height >= COVER[1]  # still covers the frame
    with Image.open(out.path) as done:
        assert np.abs(np.asarray(done, np.float32).mean() - np.asarray(photo).mean()) < 3
