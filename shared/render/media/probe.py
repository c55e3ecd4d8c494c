"""Facts about a local media file, read by content (never by extension) with PyAV.

``sniff_container`` names the demuxer from the file's first bytes, so nothing that merely calls
itself audio or video (an HLS playlist, a concat list, an AVI wrapping a playlist) ever reaches a
demuxer that could follow a URL. Every open forces that demuxer and allows the ``file`` protocol
only. ``probe_streams`` returns what verification needs; ``probe_media`` the ``MediaInfo`` the
compiler takes.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
from PIL import Image

from shared.errors import InvalidMedia
from shared.render.graph.plan import MediaInfo, MediaKind

logger = logging.getLogger(__name__)

SNIFF_BYTES = 4096
# The only options our demuxers get: local files, no nested protocols.
DEMUX_OPTIONS = {"protocol_whitelist": "file"}
AUDIO_CONTAINERS = frozenset({"wav", "mp3", "aac", "mov", "ogg", "flac"})
VIDEO_CONTAINERS = frozenset({"mov", "matroska"})
IMAGE_CONTAINER = "image2"
_IMAGE_MAGIC = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n")


@dataclass(frozen=True)
class VideoFacts:
    codec: str
    width: int
    height: int
    fps: float
    frame_count: int  # packets in the stream: one per frame for the codecs we accept
    duration_ms: int
    pix_fmt: str
    profile: str


@dataclass(frozen=True)
class AudioFacts:
    codec: str
    sample_rate: int
    channels: int
    duration_ms: int


@dataclass(frozen=True)
class StreamFacts:
    container: str  # the demuxer we forced
    duration_ms: int
    video: VideoFacts | None
    audio: AudioFacts | None


def looks_like_text(head: bytes) -> bool:
    if not head:
        return False
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError:
        # A multi-byte character cut at the sniff boundary is still text.
        try:
            text = head[:-4].decode("utf-8")
        except UnicodeDecodeError:
            return False
    printable = sum(ch.isprintable() or ch in "\r\n\t" for ch in text)
    return printable >= 0.95 * len(text)


def describe_text(head: bytes) -> str:
    """Why a text file is not media: the refusal message's second half."""
    lowered = head.lower()
    if lowered.lstrip().startswith(b"#extm3u"):
        return "it is an HLS playlist (text), not a media file"
    if lowered.lstrip().startswith(b"ffconcat") or b"file '" in lowered:
        return "it is a concat list (text), not a media file"
    if b"://" in lowered:
        return "it is a text file that contains a URL, not a media file"
    return "it is a text file, not a media file"


def sniff_container(head: bytes) -> str | None:
    """The FFmpeg demuxer for these leading bytes, or None when we do not accept the format."""
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "wav"
    if head[:4] == b"fLaC":
        return "flac"
    if head[:4] == b"OggS":
        return "ogg"
    if head[4:8] == b"ftyp":
        return "mov"
    if head[:4] == b"\x1a\x45\xdf\xa3":
        return "matroska"
    if head[:3] == b"ID3":
        return "mp3"
    if len(head) >= 2 and head[0] == 0xFF:
        if head[1] & 0xF6 == 0xF0:  # ADTS sync word, layer 0: raw AAC
            return "aac"
        if head[1] & 0xE0 == 0xE0 and head[1] & 0x06:  # MPEG audio frame sync, layer I-III
            return "mp3"
    if head.startswith(_IMAGE_MAGIC) or (head[:4] == b"RIFF" and head[8:12] == b"WEBP"):
        return IMAGE_CONTAINER
    return None


def read_head(path: Path) -> bytes:
    with path.open("rb") as f:
        return f.read(SNIFF_BYTES)


def _ms(value: float | Fraction | None) -> int:
    return 0 if value is None else round(float(value) * 1000)


def _stream_ms(stream: av.stream.Stream) -> int:
    if stream.duration is None or stream.time_base is None:
        return 0
    return _ms(stream.duration * stream.time_base)


def _count_packets(path: Path, container: str, stream_index: int) -> int:
    with av.open(str(path), format=container, options=DEMUX_OPTIONS) as box:
        stream = box.streams[stream_index]
        return sum(1 for packet in box.demux(stream) if packet.size)


def probe_streams(path: Path, *, count_frames: bool = False) -> StreamFacts:
    """Container and first video/audio stream facts; ``count_frames`` demuxes the whole file."""
    head = read_head(path)
    container = sniff_container(head)
    if container is None or container == IMAGE_CONTAINER:
        raise InvalidMedia(f"{path.name}: not an audio or video file we can read")
    try:
        with av.open(str(path), format=container, options=DEMUX_OPTIONS) as box:
            video = audio = None
            if box.streams.video:
                vs = box.streams.video[0]
                ctx = vs.codec_context
                rate = vs.average_rate or vs.guessed_rate
                frames = vs.frames
                if count_frames or not frames:
                    frames = _count_packets(path, container, vs.index)
                video = VideoFacts(
                    codec=ctx.name,
                    width=ctx.width,
                    height=ctx.height,
                    fps=float(rate) if rate else 0.0,
                    frame_count=frames,
                    duration_ms=_stream_ms(vs),
                    pix_fmt=ctx.pix_fmt or "",
                    profile=ctx.profile or "",
                )
            if box.streams.audio:
                aus = box.streams.audio[0]
                actx = aus.codec_context
                audio = AudioFacts(
                    codec=actx.name,
                    sample_rate=actx.sample_rate,
                    channels=actx.layout.nb_channels,
                    duration_ms=_stream_ms(aus),
                )
            duration_ms = round(box.duration / 1000) if box.duration else 0
    except av.FFmpegError as exc:
        raise InvalidMedia(f"{path.name}: the file is damaged or unreadable ({exc})") from exc
    return StreamFacts(container=container, duration_ms=duration_ms, video=video, audio=audio)


def video_parameter_sets(path: Path) -> bytes:
    """The first video stream's decoder configuration (for H.264 in MP4 the avcC box: profile,
    level and the SPS/PPS). Stream-copied pieces decode as one only if theirs are equal."""
    container = sniff_container(read_head(path))
    if container is None or container == IMAGE_CONTAINER:
        raise InvalidMedia(f"{path.name}: not a video file we can read")
    try:
        with av.open(str(path), format=container, options=DEMUX_OPTIONS) as box:
            if not box.streams.video:
                raise InvalidMedia(f"{path.name}: has no video stream")
            return bytes(box.streams.video[0].codec_context.extradata or b"")
    except av.FFmpegError as exc:
        raise InvalidMedia(f"{path.name}: the file is damaged or unreadable ({exc})") from exc


def probe_media(path: Path) -> MediaInfo:
    """MediaInfo for a local file that ingest has already validated (or produced)."""
    head = read_head(path)
    if sniff_container(head) == IMAGE_CONTAINER:
        with Image.open(path, formats=["JPEG", "PNG", "WEBP"]) as im:
            width, height = im.size
        return MediaInfo(
            path=str(path),
            kind=MediaKind.IMAGE,
            width=width,
            height=height,
            container=IMAGE_CONTAINER,
        )
    facts = probe_streams(path)
    if facts.video is not None:
        return MediaInfo(
            path=str(path),
            kind=MediaKind.VIDEO,
            width=facts.video.width,
            height=facts.video.height,
            duration_ms=facts.video.duration_ms or facts.duration_ms,
            fps=facts.video.fps,
            has_audio=facts.audio is not None,
            container=facts.container,
        )
    if facts.audio is not None:
        return MediaInfo(
            path=str(path),
            kind=MediaKind.AUDIO,
            duration_ms=facts.audio.duration_ms or facts.duration_ms,
            has_audio=True,
            container=facts.container,
        )
    raise InvalidMedia(f"{path.name}: has neither a video nor an audio stream")
