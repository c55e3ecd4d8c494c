"""Validate and normalise user media before anything renders it.

Photos (JPEG, PNG, WebP, HEIC) are decoded once, at most at the size the render needs, turned
upright (EXIF orientation), flattened to RGB and written without metadata (phone photos carry
GPS): as a fresh JPEG to keep, or as a raw PPM for a render that reads it once. Audio (WAV, MP3,
AAC/M4A, Ogg Vorbis/Opus, FLAC) is decoded in full, which is what proves it undamaged, and
written as 48 kHz 16-bit WAV. Video (MP4/MOV/WebM with H.264, HEVC, VP9 or AV1) is checked but
not re-encoded. Every refusal is an ``InvalidMedia`` whose message a person can act on.
"""

from __future__ import annotations

import hashlib
import logging
import math
import warnings
import wave
from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np
import pillow_heif
import simplejpeg
from PIL import Image, ImageOps, UnidentifiedImageError

from shared.errors import InvalidMedia
from shared.render.draw.opencv import cv2
from shared.render.draw.photo_cover import centre_crop
from shared.render.graph.plan import MediaInfo, MediaKind
from shared.render.media.probe import (
    AUDIO_CONTAINERS,
    DEMUX_OPTIONS,
    IMAGE_CONTAINER,
    VIDEO_CONTAINERS,
    describe_text,
    looks_like_text,
    probe_streams,
    read_head,
    sniff_container,
)
from shared.timeline.model import Fit

logger = logging.getLogger(__name__)

pillow_heif.register_heif_opener()

PHOTO_FORMATS = ("JPEG", "PNG", "WEBP", "HEIF")
AUDIO_CODECS: dict[str, frozenset[str]] = {
    "wav": frozenset({"pcm_s16le", "pcm_s24le", "pcm_s32le", "pcm_f32le", "pcm_u8"}),
    "mp3": frozenset({"mp3", "mp3float"}),
    "aac": frozenset({"aac"}),
    "mov": frozenset({"aac"}),
    "ogg": frozenset({"vorbis", "opus", "libopus"}),
    "flac": frozenset({"flac"}),
}
VIDEO_CODECS = frozenset({"h264", "hevc", "vp9", "libvpx-vp9", "av1", "libdav1d", "libaom-av1"})
SAMPLE_RATE = 48_000
JPEG_QUALITY = 92
# Alpha is flattened onto white: transparent product shots and logos look as they do on a page.
FLATTEN_ONTO = (255, 255, 255)
# A truncated file decodes to less than its header promises.
_TRUNCATION_TOLERANCE = 0.02


@dataclass(frozen=True)
class MediaLimits:
    """What we accept. Defaults suit phone uploads and ad-length media."""

    max_photo_pixels: int = 50_000_000
    max_file_bytes: int = 500 * 1024 * 1024
    max_audio_ms: int = 3 * 60 * 60 * 1000
    # The longest audio accepted, as 48 kHz 16-bit stereo WAV (the music task writes one that
    # long for a 3-hour programme), and a megabyte for its headers.
    max_audio_bytes: int = 3 * 60 * 60 * 48_000 * 4 + 1024 * 1024
    max_video_ms: int = 60 * 60 * 1000
    max_video_pixels: int = 4096 * 2304


DEFAULT_LIMITS = MediaLimits()


def _name(src: Path) -> str:
    return src.name


def _check_size(src: Path, limits: MediaLimits, what: str, max_bytes: int | None = None) -> None:
    limit = limits.max_file_bytes if max_bytes is None else max_bytes
    try:
        size = src.stat().st_size
    except FileNotFoundError:
        raise InvalidMedia(f"{_name(src)}: file not found") from None
    if size == 0:
        raise InvalidMedia(f"{_name(src)}: the {what} file is empty")
    if size > limit:
        raise InvalidMedia(f"{_name(src)}: {size} bytes is larger than the {limit} bytes allowed")


def _digest(src: Path, *extra: object) -> str:
    h = hashlib.sha256()
    with src.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    h.update(repr(extra).encode())
    return h.hexdigest()[:20]


# ---------------------------------------------------------------------------------------------
# Photos


def _open_photo(src: Path, limits: MediaLimits) -> Image.Image:
    """Open from the header only, refusing formats and sizes we do not take before decoding."""
    with warnings.catch_warnings():
        # Pillow only warns between 1x and 2x its own limit; a bomb must never get that far.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            im = Image.open(src, formats=PHOTO_FORMATS)
        except (Image.DecompressionBombWarning, Image.DecompressionBombError) as exc:
            raise InvalidMedia(
                f"{_name(src)}: the photo has too many pixels (limit {limits.max_photo_pixels})"
            ) from exc
        except UnidentifiedImageError as exc:
            head = read_head(src)
            why = (
                describe_text(head)
                if looks_like_text(head)
                else "it is not a JPEG, PNG, WebP or HEIC"
            )
            raise InvalidMedia(f"{_name(src)}: not a photo we can use: {why}") from exc
    width, height = im.size
    if width * height > limits.max_photo_pixels:
        im.close()
        raise InvalidMedia(
            f"{_name(src)}: the photo is {width}x{height} = {width * height} pixels, more than "
            f"the {limits.max_photo_pixels} allowed"
        )
    return im


def _to_rgb(im: Image.Image) -> Image.Image:
    if im.mode in ("I", "I;16", "I;16B", "I;16L", "I;16N"):
        # 16-bit greyscale: Pillow's convert clips at 255, so scale down by hand.
        deep = np.asarray(im, dtype=np.uint32)
        im = Image.fromarray((deep >> 8 if deep.max() > 255 else deep).astype(np.uint8), "L")
    if im.mode == "P" and "transparency" in im.info:
        im = im.convert("RGBA")
    if im.mode in ("RGBA", "LA", "PA", "RGBa", "La"):
        rgba = im.convert("RGBA")
        flat = Image.new("RGB", rgba.size, FLATTEN_ONTO)
        flat.paste(rgba, mask=rgba.getchannel("A"))
        return flat
    return im if im.mode == "RGB" else im.convert("RGB")


# EXIF orientation -> the view that stands the decoded picture upright (exif_transpose's).
_UPRIGHT = {
    2: lambda a: a[:, ::-1],
    3: lambda a: a[::-1, ::-1],
    4: lambda a: a[::-1],
    5: lambda a: a.transpose(1, 0, 2),
    6: lambda a: np.rot90(a, -1),
    7: lambda a: a[::-1, ::-1].transpose(1, 0, 2),
    8: lambda a: np.rot90(a, 1),
}


def _decode_jpeg(src: Path, im: Image.Image, fit: Fit, box: tuple[int, int]) -> np.ndarray | None:
    """A JPEG that Pillow has vetted from its header, decoded by libjpeg-turbo (simplejpeg)
    straight into an RGB array at the smallest of its scales (1/8 steps: 5/8 of a 12 MP photo
    for a 1080p Ken Burns) that still covers ``box``: less than half the CPU of a full decode
    plus a resize. None where Pillow should decide instead: colour spaces it does not turn into
    RGB (CMYK), and a file with stray bytes. OSError for a scan that ends early, even where an
    end-of-image marker follows (Pillow would show its missing part flat grey)."""
    raw = src.read_bytes()
    height, width, colorspace, _ = simplejpeg.decode_jpeg_header(raw)
    if colorspace not in ("YCbCr", "Gray"):
        return None
    orientation = im.getexif().get(0x0112, 1)
    # The box as the photo stands before it is turned upright.
    need = (box[1], box[0]) if orientation in (5, 6, 7, 8) else box
    scale = min(1.0, _needed_scale(fit, need, width, height))
    try:
        pixels = simplejpeg.decode_jpeg(
            raw, "RGB",
            min_width=math.ceil(width * scale), min_height=math.ceil(height * scale),
        )  # fmt: skip
    except ValueError as exc:
        # Strict refuses any libjpeg warning. "Premature end of JPEG file" / "... of data
        # segment": the scan is cut short, refused. Anything else (a few stray bytes in a
        # phone's file) Pillow decides, as photo viewers do.
        if "premature end" in str(exc).lower():
            raise OSError(f"the image data stops early: {exc}") from exc
        logger.info("jpeg left to pillow", extra={"source": _name(src), "why": str(exc)})
        return None
    upright = _UPRIGHT.get(orientation)
    return pixels if upright is None else np.ascontiguousarray(upright(pixels))


def _needed_scale(fit: Fit, box: tuple[int, int], width: int, height: int) -> float:
    """The scale at which a width x height photo just covers (crop) or fills (blur) ``box``."""
    ratios = (box[0] / width, box[1] / height)
    return max(ratios) if fit is Fit.CROP else min(ratios)


def _shrink(rgb: np.ndarray, fit: Fit, box: tuple[int, int]) -> np.ndarray:
    height, width = rgb.shape[:2]
    scale = _needed_scale(fit, box, width, height)
    if scale >= 1.0:
        return rgb  # never upscale here: the render scales once, at the end
    size = (max(1, math.ceil(width * scale)), max(1, math.ceil(height * scale)))
    # Area averaging: each output pixel is the mean of the source it covers, so no aliasing,
    # at less than half the CPU of Pillow's Lanczos (the render resamples again anyway).
    return cv2.resize(rgb, size, interpolation=cv2.INTER_AREA)


def _write_jpeg(rgb: np.ndarray, path: Path) -> None:
    # A fresh encode with no EXIF, XMP or ICC: nothing of the upload survives but pixels.
    Image.fromarray(rgb).save(path, "JPEG", quality=JPEG_QUALITY, subsampling=0)


def _write_ppm(rgb: np.ndarray, path: Path) -> None:
    """Binary PPM (P6, 8-bit RGB): a header and the pixels, which holds no metadata at all.

    Written by hand: about 5 ms for 5 MP, a third of what Pillow's PPM writer takes.
    """
    height, width = rgb.shape[:2]
    with path.open("wb") as f:
        f.write(b"P6\n%d %d\n255\n" % (width, height))
        np.ascontiguousarray(rgb).tofile(f)


def ingest_photo(
    src: Path,
    dest_dir: Path,
    *,
    box: tuple[int, int],
    fit: Fit = Fit.CROP,
    limits: MediaLimits = DEFAULT_LIMITS,
    raw: bool = False,
    crop: bool = False,
    spare: float = 1.0,
) -> MediaInfo:
    """Validate a photo and write it upright, in RGB, no larger than the render needs.

    ``box`` is the size the render samples from: the output frame times the clip's largest
    zoom. With ``Fit.CROP`` the photo is kept large enough to cover it, with ``Fit.BLUR`` to fill
    it edge to edge the other way. The result is a clean JPEG (q92, 4:4:4) to keep, or with
    ``raw`` a binary PPM (``.ppm``, P6 8-bit RGB): lossless and cheap to write and to read
    (FFmpeg's image2 demuxer, numpy), for a render's private working folder. Either holds
    nothing of the upload but its pixels. With ``crop`` (and ``Fit.CROP``) only the centred
    part with the box's aspect is kept: what a crop fit shows, for less work and a smaller file.
    Where decoding gives more than ``box`` for free (a JPEG decodes at 1/8 steps), up to
    ``spare`` times the box is kept (the drawer's margin) instead of being resized away.
    The file is named by content, box, fit, crop, spare and kind, so a second call reuses it and
    both kinds can share one folder.
    """
    _check_size(src, limits, "photo")
    suffix, write = (".ppm", _write_ppm) if raw else (".jpg", _write_jpeg)
    cropped = crop and fit is Fit.CROP
    out = dest_dir / f"photo-{_digest(src, box, fit.value, raw, cropped, spare)}{suffix}"
    if not out.exists():
        im = _open_photo(src, limits)
        try:
            decoded = _decode_jpeg(src, im, fit, box) if im.format == "JPEG" else None
            if decoded is not None:
                rgb = decoded
            else:
                im.load()
                # In place: otherwise an upright photo is copied whole (~16 ms for 12 MP).
                ImageOps.exif_transpose(im, in_place=True)
                rgb = np.asarray(_to_rgb(im))
            keep = (round(box[0] * spare), round(box[1] * spare))
            rgb = _shrink(centre_crop(rgb, *box) if cropped else rgb, fit, keep)
        except (OSError, SyntaxError, ValueError) as exc:
            raise InvalidMedia(
                f"{_name(src)}: the photo is damaged or incomplete and cannot be decoded ({exc})"
            ) from exc
        finally:
            im.close()
        dest_dir.mkdir(parents=True, exist_ok=True)
        partial = out.with_suffix(".partial")
        write(rgb, partial)
        partial.replace(out)
        height, width = rgb.shape[:2]
        logger.info("photo normalised", extra={"source": _name(src), "size": f"{width}x{height}"})
    else:
        # Reused: only the header is read.
        with Image.open(out, formats=["PPM" if raw else "JPEG"]) as done:
            width, height = done.size
    return MediaInfo(
        path=str(out), kind=MediaKind.IMAGE, width=width, height=height, container=IMAGE_CONTAINER
    )


# ---------------------------------------------------------------------------------------------
# Audio and video: sniffed by content, opened with the sniffed demuxer forced


def _sniff(src: Path, allowed: frozenset[str], what: str) -> str:
    head = read_head(src)
    container = sniff_container(head)
    if container in allowed:
        assert container is not None
        return container
    if looks_like_text(head):
        raise InvalidMedia(f"{_name(src)}: not {what}: {describe_text(head)}")
    kinds = "WAV, MP3, AAC/M4A, Ogg (Vorbis/Opus) or FLAC" if what == "audio" else "MP4/MOV/WebM"
    raise InvalidMedia(f"{_name(src)}: not {what} we can use (we take {kinds})")


def _wav_missing_bytes(src: Path) -> int:
    """How many bytes of its data chunk a WAV file lacks (the demuxer reads a cut file quietly)."""
    size = src.stat().st_size
    with src.open("rb") as f:
        f.seek(12)
        while header := f.read(8):
            if len(header) < 8:
                return 0
            kind, length = header[:4], int.from_bytes(header[4:], "little")
            if kind == b"data":
                # 0xFFFFFFFF marks a streamed WAV whose writer never knew its length.
                return 0 if length == 0xFFFFFFFF else max(0, length - (size - f.tell()))
            f.seek(length + (length & 1), 1)
    return 0


def _damaged(src: Path, detail: str) -> InvalidMedia:
    return InvalidMedia(f"{_name(src)}: audio file is damaged ({detail})")


def ingest_audio(src: Path, dest_dir: Path, *, limits: MediaLimits = DEFAULT_LIMITS) -> MediaInfo:
    """Validate an audio file by decoding all of it, and write it as 48 kHz 16-bit WAV."""
    _check_size(src, limits, "audio", limits.max_audio_bytes)
    container = _sniff(src, AUDIO_CONTAINERS, "audio")
    out = dest_dir / f"audio-{_digest(src)}.wav"
    if not out.exists():
        dest_dir.mkdir(parents=True, exist_ok=True)
        partial = out.with_suffix(".partial")
        try:
            _decode_audio_to_wav(src, container, partial, limits)
            partial.replace(out)
        finally:
            partial.unlink(missing_ok=True)
    with wave.open(str(out), "rb") as w:
        duration_ms = round(w.getnframes() * 1000 / w.getframerate())
    return MediaInfo(
        path=str(out),
        kind=MediaKind.AUDIO,
        duration_ms=duration_ms,
        has_audio=True,
        container="wav",
    )


def _decode_audio_to_wav(src: Path, container: str, out: Path, limits: MediaLimits) -> None:
    try:
        box = av.open(str(src), format=container, options=DEMUX_OPTIONS)
    except av.FFmpegError as exc:
        raise _damaged(src, "cannot open it") from exc
    with box:
        if not box.streams.audio:
            raise InvalidMedia(f"{_name(src)}: has no audio stream")
        stream = box.streams.audio[0]
        codec = stream.codec_context.name
        if codec not in AUDIO_CODECS[container]:
            raise InvalidMedia(f"{_name(src)}: audio codec '{codec}' in {container} is not allowed")
        declared_s = 0.0
        if stream.duration is not None and stream.time_base is not None:
            declared_s = float(stream.duration * stream.time_base)
        elif box.duration:
            declared_s = box.duration / 1_000_000
        if declared_s * 1000 > limits.max_audio_ms:
            raise InvalidMedia(
                f"{_name(src)}: {declared_s:.0f} s of audio is longer than the "
                f"{limits.max_audio_ms // 1000} s allowed"
            )
        channels = min(2, max(1, stream.codec_context.layout.nb_channels))
        resampler = av.AudioResampler(
            format="s16", layout="stereo" if channels == 2 else "mono", rate=SAMPLE_RATE
        )
        samples = 0
        with wave.open(str(out), "wb") as w:
            w.setnchannels(channels)
            w.setsampwidth(2)
            w.setframerate(SAMPLE_RATE)
            try:
                for frame in box.decode(stream):
                    for chunk in resampler.resample(frame):
                        w.writeframes(chunk.to_ndarray().tobytes())
                        samples += chunk.samples
                    if samples > limits.max_audio_ms * SAMPLE_RATE // 1000:
                        raise InvalidMedia(
                            f"{_name(src)}: the audio is longer than the "
                            f"{limits.max_audio_ms // 1000} s allowed"
                        )
                for chunk in resampler.resample(None):
                    w.writeframes(chunk.to_ndarray().tobytes())
                    samples += chunk.samples
            except av.FFmpegError as exc:
                raise _damaged(src, f"decoding failed: {exc}") from exc
    decoded_s = samples / SAMPLE_RATE
    if samples == 0:
        raise _damaged(src, "it holds no sound")
    if container == "wav" and (missing := _wav_missing_bytes(src)):
        raise _damaged(src, f"it is cut short: {missing} bytes of sound are missing")
    if declared_s and decoded_s < declared_s * (1 - _TRUNCATION_TOLERANCE) - 0.05:
        raise _damaged(
            src, f"it is cut short: {decoded_s:.2f} s of the {declared_s:.2f} s its header declares"
        )


def ingest_video(src: Path, *, limits: MediaLimits = DEFAULT_LIMITS) -> MediaInfo:
    """Validate an uploaded or AI-generated video clip (kept as it is: re-encoding costs)."""
    _check_size(src, limits, "video")
    container = _sniff(src, VIDEO_CONTAINERS, "video")
    facts = probe_streams(src)
    video = facts.video
    if video is None:
        raise InvalidMedia(f"{_name(src)}: has no video stream")
    if video.codec not in VIDEO_CODECS:
        raise InvalidMedia(
            f"{_name(src)}: video codec '{video.codec}' is not allowed (H.264, HEVC, VP9 or AV1)"
        )
    duration_ms = video.duration_ms or facts.duration_ms
    if duration_ms <= 0:
        raise InvalidMedia(f"{_name(src)}: the video has no duration")
    if duration_ms > limits.max_video_ms:
        raise InvalidMedia(
            f"{_name(src)}: {duration_ms / 1000:.0f} s of video is longer than the "
            f"{limits.max_video_ms // 1000} s allowed"
        )
    if video.width * video.height > limits.max_video_pixels:
        raise InvalidMedia(
            f"{_name(src)}: {video.width}x{video.height} is larger than the video size allowed"
        )
    _decode_first_frame(src, container)
    return MediaInfo(
        path=str(src),
        kind=MediaKind.VIDEO,
        width=video.width,
        height=video.height,
        duration_ms=duration_ms,
        fps=video.fps,
        has_audio=facts.audio is not None,
        container=container,
    )


def _decode_first_frame(src: Path, container: str) -> None:
    try:
        with av.open(str(src), format=container, options=DEMUX_OPTIONS) as box:
            for _frame in box.decode(video=0):
                return
    except av.FFmpegError as exc:
        raise InvalidMedia(f"{_name(src)}: the video is damaged ({exc})") from exc
    raise InvalidMedia(f"{_name(src)}: the video has no picture that can be decoded")
