"""Shared helpers for the compiler tests: fixture timelines, their media, tiny real media files,
and running a plan with the real FFmpeg (as the runtime's runner will)."""

from __future__ import annotations

import json
import subprocess
import wave
from pathlib import Path

import av
import imageio_ffmpeg
import numpy as np
from PIL import Image

from shared.render.graph.compiler import RenderOptions
from shared.render.graph.plan import EncoderSettings, MediaInfo, MediaKind, RenderPlan
from shared.timeline import Timeline, parse_timeline

DATA = Path(__file__).resolve().parent.parent / "data"
TIMELINES = DATA / "timelines"
GOLDEN = DATA / "golden"
FFMPEG = imageio_ffmpeg.get_ffmpeg_exe()

# Fast, near-lossless settings: the tests measure pixels, not the encoder.
OPTIONS = RenderOptions(EncoderSettings("libx264", ("-preset", "ultrafast", "-crf", "12")))

# What the runtime would report for each source the fixture timelines use.
FIXTURE_MEDIA = {
    "photos/shop.jpg": MediaInfo("in/shop.jpg", MediaKind.IMAGE, 4032, 3024, container="image2"),
    "photos/beans.png": MediaInfo("in/beans.png", MediaKind.IMAGE, 1200, 1600, container="image2"),
    "photos/cup.jpg": MediaInfo("in/cup.jpg", MediaKind.IMAGE, 1920, 1080, container="image2"),
    "media:clip1": MediaInfo(
        "in/clip1.mp4", MediaKind.VIDEO, 1280, 720, duration_ms=5000, fps=24.0, container="mov"
    ),
    "audio/voice.wav": MediaInfo(
        "in/voice.wav", MediaKind.AUDIO, duration_ms=6200, container="wav"
    ),
    "audio/music.mp3": MediaInfo(
        "in/music.mp3", MediaKind.AUDIO, duration_ms=4000, container="mp3"
    ),
}
MIX = MediaInfo("mix.wav", MediaKind.AUDIO, duration_ms=0, container="wav")


def load_timeline(name: str) -> Timeline:
    return parse_timeline(json.loads((TIMELINES / f"{name}.json").read_text()))


def fixture_names() -> list[str]:
    return sorted(p.stem for p in TIMELINES.glob("*.json"))


# --- tiny real media -------------------------------------------------------------------------


def write_photo(path: Path, pixels: np.ndarray) -> MediaInfo:
    Image.fromarray(pixels).save(path, quality=95) if path.suffix == ".jpg" else Image.fromarray(
        pixels
    ).save(path)
    h, w = pixels.shape[:2]
    return MediaInfo(str(path), MediaKind.IMAGE, w, h, container="image2")


def gradient_photo(path: Path, width: int, height: int, seed: int = 0) -> MediaInfo:
    """A photo with structure everywhere (so motion and fits are visible), deterministic."""
    y, x = np.mgrid[0:height, 0:width]
    rng = np.random.default_rng(seed)
    phase = rng.uniform(0, 6.28, 3)
    rgb = np.stack(
        [
            127 + 100 * np.sin(x / (width / 7) + phase[0]),
            127 + 100 * np.sin(y / (height / 5) + phase[1]),
            127 + 100 * np.sin((x + y) / (width / 9) + phase[2]),
        ],
        axis=-1,
    )
    return write_photo(path, rgb.clip(0, 255).astype(np.uint8))


def write_tone(
    path: Path, freq: float, seconds: float, *, rate: int = 48000, amplitude: float = 0.3
) -> MediaInfo:
    t = np.arange(int(seconds * rate)) / rate
    pcm = (amplitude * np.sin(2 * np.pi * freq * t) * 32767).astype("<i2")
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(pcm.tobytes())
    return MediaInfo(str(path), MediaKind.AUDIO, duration_ms=round(seconds * 1000), container="wav")


def write_video(path: Path, width: int, height: int, fps: int, seconds: float) -> MediaInfo:
    subprocess.run(
        [FFMPEG, "-v", "error", "-y", "-f", "lavfi", "-i",
         f"testsrc2=s={width}x{height}:r={fps}:d={seconds}",
         "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", str(path)],
        check=True,
    )  # fmt: skip
    return MediaInfo(
        str(path), MediaKind.VIDEO, width, height, round(seconds * 1000), float(fps), False, "mov"
    )


# --- running plans ---------------------------------------------------------------------------


def render(plan: RenderPlan, workdir: Path, name: str) -> tuple[Path, str]:
    """Run ``plan`` in ``workdir`` (text files written there first); the output and stderr."""
    for file_name, content in plan.text_files.items():
        (workdir / file_name).write_text(content, encoding="utf-8")
    out = workdir / name
    proc = subprocess.run(
        plan.argv(FFMPEG, str(out)), cwd=workdir, capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return out, proc.stderr


def luma_frames(path: Path) -> np.ndarray:
    """Every frame's luma plane, as float (frames, height, width)."""
    with av.open(str(path)) as container:
        frames = [f.to_ndarray(format="gray").astype(np.float64) for f in container.decode(video=0)]
    return np.stack(frames)


def video_facts(path: Path) -> dict[str, float]:
    with av.open(str(path)) as container:
        v = container.streams.video[0]
        facts = {
            "width": v.codec_context.width,
            "height": v.codec_context.height,
            "fps": float(v.average_rate or 0),
            "frames": sum(1 for _ in container.decode(video=0)),
            "profile": v.codec_context.profile or "",
            "audio_streams": len(container.streams.audio),
        }
    return facts


def dot_photo(path: Path, width: int, height: int, at: tuple[float, float]) -> MediaInfo:
    """A grey photo with one bright Gaussian dot (sigma 4 px) at ``at``: the wobble tests."""
    y, x = np.mgrid[0:height, 0:width]
    blob = 235 * np.exp(-((x - at[0]) ** 2 + (y - at[1]) ** 2) / (2 * 4.0**2)) + 16
    return write_photo(path, np.repeat(blob[..., None], 3, axis=2).astype(np.uint8))


def dot_centroids(frames: np.ndarray) -> np.ndarray:
    """Where the dot is in each (luma) frame, to a fraction of a pixel."""
    out = []
    for f in frames:
        peak = np.unravel_index(np.argmax(f), f.shape)
        y0, x0 = max(peak[0] - 8, 0), max(peak[1] - 8, 0)
        win = np.clip(f[y0 : peak[0] + 9, x0 : peak[1] + 9] - 40, 0, None)
        yy, xx = np.mgrid[0 : win.shape[0], 0 : win.shape[1]]
        out.append(((xx * win).sum() / win.sum() + x0, (yy * win).sum() / win.sum() + y0))
    return np.array(out)


def dot_timeline(
    folder: Path, width: int, height: int
) -> tuple[Timeline, dict[str, MediaInfo], tuple[float, float]]:
    """The wobble tests' 2 s preview clip: a width x height dot photo zooming out from 1.3 to
    1.1 while panning; returns the timeline, its media and where the dot is on the photo."""
    dot = (0.62 * width, 0.41 * height)
    media = {"dot.png": dot_photo(folder / "dot.png", width, height, dot)}
    kb = {
        "motion": "custom",
        "easing": "linear",
        "start": {"zoom": 1.3, "x": 0.617, "y": 0.453},
        "end": {"zoom": 1.1, "x": 0.503, "y": 0.498},
    }
    timeline = parse_timeline({
        "format": {"quality": "preview", "fps": 30},
        "video": [{"kind": "photo", "source": "dot.png", "duration_ms": 2000, "fit": "crop",
                   "kenburns": kb}],
    })  # fmt: skip
    return timeline, media, dot
