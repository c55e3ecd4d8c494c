"""Music shorter than the video, repeated with crossfades to the video's length, block by block.

The mix could loop it inside FFmpeg's graph (``asplit`` into one copy per loop, joined by
``acrossfade``), but every copy but the one playing then queues the whole decoded file: a 3-hour
programme over a 3-minute track held 100 MB more than a 10-minute one, and a track of an hour
and a half looped twice would hold all of it decoded (2 GB). Here the file is read once per copy
and written as it goes; what is held is one block and one crossfade. The mix then takes the
looped file as music that covers the video (no loop in its graph).
"""

from __future__ import annotations

import wave
from dataclasses import replace
from pathlib import Path

import numpy as np

from shared.errors import InvalidMedia
from shared.render.graph.audio_graph import loop_crossfade_ms
from shared.render.graph.plan import MediaInfo
from shared.render.graph.timing import frames_to_samples, total_frames
from shared.timeline import Timeline

BLOCK_FRAMES = 1 << 16  # about 1.4 s at 48 kHz


def _frames(reader: wave.Wave_read, count: int, channels: int) -> np.ndarray:
    return np.frombuffer(reader.readframes(count), "<i2").reshape(-1, channels)


def loop_to_length(src: Path, dst: Path, total_frames: int, crossfade_ms: int) -> Path:
    """``src`` (16-bit PCM WAV, as ingest writes) repeated to ``total_frames`` frames at ``dst``,
    each copy crossfaded into the next over ``crossfade_ms`` (triangular, as ``acrossfade``)."""
    with wave.open(str(src), "rb") as head:
        channels, rate, length = head.getnchannels(), head.getframerate(), head.getnframes()
    if length == 0:
        raise InvalidMedia(f"{src.name}: the music holds no sound to loop")
    fade = min(crossfade_ms * rate // 1000, length // 2)
    ramp = (np.arange(fade, dtype=np.float32) / max(fade, 1))[:, None]
    written = 0
    with wave.open(str(dst), "wb") as out:
        out.setnchannels(channels)
        out.setsampwidth(2)
        out.setframerate(rate)

        def write(block: np.ndarray) -> None:
            nonlocal written
            block = block[: total_frames - written]
            out.writeframes(np.ascontiguousarray(block, "<i2").tobytes())
            written += len(block)

        pending: np.ndarray | None = None  # the previous copy's last ``fade`` frames
        while written < total_frames:
            with wave.open(str(src), "rb") as copy:
                position = 0
                if pending is not None and fade:
                    incoming = _frames(copy, fade, channels).astype(np.float32)
                    mixed = pending.astype(np.float32) * (1 - ramp) + incoming * ramp
                    write(np.clip(np.rint(mixed), -32768, 32767).astype("<i2"))
                    position = fade
                while position < length - fade and written < total_frames:
                    count = min(BLOCK_FRAMES, length - fade - position)
                    write(_frames(copy, count, channels))
                    position += count
                pending = _frames(copy, fade, channels) if fade else None
    return dst


def music_to_length(
    timeline: Timeline, media: dict[str, MediaInfo], work_dir: Path, sample_rate: int
) -> dict[str, MediaInfo]:
    """``media`` with the timeline's music looped to the video's length when it is shorter."""
    music = timeline.music
    if music is None or music.source not in media:
        return media
    info = media[music.source]
    samples = frames_to_samples(total_frames(timeline), timeline.format.fps, sample_rate)
    total_ms = samples * 1000 // sample_rate
    if info.duration_ms >= total_ms:
        return media
    with wave.open(info.path, "rb") as head:
        rate = head.getframerate()
    frames = -(-samples * rate // sample_rate)  # rounded up: never short of the video
    fade_ms = loop_crossfade_ms(music, info.duration_ms)
    looped = loop_to_length(Path(info.path), work_dir / "music-looped.wav", frames, fade_ms)
    return {**media, music.source: replace(info, path=str(looped), duration_ms=total_ms)}
