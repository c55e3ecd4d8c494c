"""The render use case end to end on tiny real media: checked by probing the MP4 it writes."""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any

import av
import numpy as np
import pytest
from PIL import Image

from examples.make_media import draw_photo
from shared.errors import Cancelled, InvalidMedia, InvalidRequest, NotFound
from shared.pipeline.offline_audio import write_wav
from shared.render.graph.compiler import RenderOptions, compile_audio_plan
from shared.render.media.media_resolver import MediaResolver
from shared.render.media.poster import poster_time_ms
from shared.render.media.probe import probe_streams
from shared.render.run.encoders import x264_settings
from shared.render.run.runner import run_plan
from shared.render.service import prepare_media, render_timeline
from shared.timeline.model import Quality, Timeline
from shared.timeline.validate import parse_timeline
from tests.music_bed import music_bed
from tests.render.test_loudness import ebur128
from tests.signals import synthetic_speech as speech_like

pytestmark = pytest.mark.ffmpeg
RATE = 48_000


@pytest.fixture(scope="module")
def media_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("media")
    draw_photo(21, 480, 360).save(root / "a.jpg", "JPEG", quality=90)
    draw_photo(22, 480, 360).save(root / "b.png")
    draw_photo(23, 300, 400).save(root / "portrait.jpg", "JPEG", quality=90)
    write_wav(root / "voice.wav", speech_like(1.6, seed=9))
    write_wav(root / "music.wav", music_bed(3.0))
    return root


def timeline(**changes: Any) -> Timeline:
    doc: dict[str, Any] = {
        "format": {"aspect": "16:9", "fps": 30, "quality": "preview"},
        "video": [
            {"kind": "photo", "source": "a.jpg", "duration_ms": 1200,
             "transition": {"type": "fade", "duration_ms": 300}},
            {"kind": "photo", "source": "b.png", "duration_ms": 1200,
             "kenburns": {"motion": "pan_left"}},
        ],
        "texts": [{"role": "title", "text": "Sale: 50% off", "start_ms": 100, "end_ms": 1000}],
        "captions": {"enabled": True, "max_words": 3},
        "voice": {"source": "voice.wav", "offset_ms": 200, "script": "Fresh bread every day"},
        "music": {"source": "music.wav", "volume": 0.5},
    }  # fmt: skip
    doc.update(changes)
    return parse_timeline(doc)


def test_render_end_to_end(tmp_path: Path, media_dir: Path) -> None:
    calls: list[tuple[float, str]] = []
    tl = timeline()
    out = tmp_path / "out" / "ad.mp4"
    result = render_timeline(
        tl, MediaResolver(media_dir), out, progress=lambda p, s: calls.append((p, s)),
        work_dir=tmp_path / "work",
    )  # fmt: skip
    facts = probe_streams(out, count_frames=True)
    assert facts.video is not None and facts.audio is not None
    assert abs(facts.video.duration_ms - tl.duration_ms) <= 1000 / 30  # within one frame
    assert facts.video.frame_count == 63 == result.frame_count  # 2.1 s at 30 fps
    assert (facts.video.width, facts.video.height, facts.video.fps) == (640, 360, 30.0)
    assert (facts.video.codec, facts.video.profile, facts.video.pix_fmt) == (
        "h264", "High", "yuv420p",
    )  # fmt: skip
    assert (facts.audio.codec, facts.audio.sample_rate, facts.audio.channels) == ("aac", RATE, 2)
    assert result.size_bytes == out.stat().st_size and result.encoder == "libx264"
    with Image.open(result.poster_path) as poster:
        assert poster.format == "JPEG" and poster.size == (640, 360)
    assert result.poster_path == out.with_suffix(".jpg")
    lufs, _ = ebur128(out)
    assert result.loudness_lufs is not None and abs(result.loudness_lufs - lufs) < 0.5
    assert abs(lufs - -14.0) <= 1.0
    percents = [p for p, _ in calls]
    assert percents == sorted(percents) and percents[0] == 0 and percents[-1] == 100
    steps = {s.split(" (")[0] for _, s in calls}
    assert {"Preparing media", "Mixing audio", "Rendering video", "Checking the video"} <= steps
    assert sorted(os.listdir(out.parent)) == ["ad.jpg", "ad.mp4"]
    assert not any((tmp_path / "work").iterdir())  # intermediates removed


def test_broadcast_loudness_target(tmp_path: Path, media_dir: Path) -> None:
    tl = timeline(loudness={"target_lufs": -23, "true_peak_db": -2}, captions=None, texts=[])
    result = render_timeline(tl, MediaResolver(media_dir), tmp_path / "b.mp4")
    lufs, peak = ebur128(tmp_path / "b.mp4")
    assert abs(lufs - -23.0) <= 1.0 and peak <= -1.0
    assert result.loudness_lufs is not None and abs(result.loudness_lufs - -23.0) <= 1.0


def test_portrait_photo_in_16x9_gets_a_blurred_fill(tmp_path: Path, media_dir: Path) -> None:
    tl = timeline(
        video=[{"kind": "photo", "source": "portrait.jpg", "duration_ms": 1000, "fit": "blur",
                "kenburns": {"motion": "zoom_in", "strength": 0.1}}],
        texts=[], captions=None, voice=None, music=None,
    )  # fmt: skip
    render_timeline(tl, MediaResolver(media_dir), tmp_path / "p.mp4")
    with av.open(str(tmp_path / "p.mp4")) as box:
        frame = next(box.decode(video=0)).to_ndarray(format="rgb24").astype(np.float32)
    side = frame.shape[1] // 8  # the photo stands in the middle 270 px; the sides are fill
    for strip in (frame[:, :side], frame[:, -side:]):
        assert strip.mean() > 40  # not black bars
        assert strip.std() > 8  # a picture (the blurred photo), not a flat colour
    # the fill is blurred: far less fine detail than the photo itself in the centre
    centre = frame[:, 320 - side // 2 : 320 + side // 2]
    assert np.abs(np.diff(strip, axis=0)).mean() < np.abs(np.diff(centre, axis=0)).mean()


def band_rms(samples: np.ndarray, freq: float, start_s: float, end_s: float) -> float:
    """RMS of one frequency band in a window: the music's tone, whatever the voice does."""
    window = samples[int(start_s * RATE) : int(end_s * RATE)]
    spectrum = np.fft.rfft(window * np.hanning(len(window)))
    freqs = np.fft.rfftfreq(len(window), 1 / RATE)
    band = (freqs > freq * 0.9) & (freqs < freq * 1.1)
    return float(np.sqrt(np.sum(np.abs(spectrum[band]) ** 2)))


def test_music_is_ducked_under_the_voice(tmp_path: Path) -> None:
    rng = np.random.default_rng(4)
    t = np.arange(int(4.0 * RATE)) / RATE
    # Music: a steady 150 Hz tone. Voice: 2-4 kHz noise from 1.5 s to 3.5 s. The band at
    # 150 Hz measures the music alone, even in the mix.
    write_wav(tmp_path / "music.wav", 0.3 * np.sin(2 * np.pi * 150 * t))
    spectrum = np.fft.rfft(rng.normal(0, 1, len(t)))
    freqs = np.fft.rfftfreq(len(t), 1 / RATE)
    voice = np.fft.irfft(spectrum * ((freqs > 2000) & (freqs < 4000)), len(t))
    voice *= 0.5 / np.abs(voice).max() * ((t > 1.5) & (t < 3.5))
    write_wav(tmp_path / "voice.wav", voice)
    levels = {}
    for ducked in (True, False):
        tl = timeline(
            video=[{"kind": "photo", "source": "a.jpg", "duration_ms": 4000}],
            texts=[], captions=None,
            voice={"source": "voice.wav"},
            music={"source": "music.wav", "volume": 1.0, "fade_in_ms": 0, "fade_out_ms": 0,
                   "duck": {"enabled": ducked}},
        )  # fmt: skip
        draw_photo(1, 64, 36).save(tmp_path / "a.jpg")
        work = tmp_path / f"work-{ducked}"
        media = prepare_media(tl, MediaResolver(tmp_path), work)
        plan = compile_audio_plan(tl, media, RenderOptions(x264_settings(Quality.PREVIEW)))
        mix = run_plan(plan, work / "mix.wav").path
        with av.open(str(mix)) as box:
            samples = np.concatenate(
                [f.to_ndarray().reshape(-1, 2)[:, 0] for f in box.decode(audio=0)]
                if box.streams.audio[0].codec_context.format.is_packed
                else [f.to_ndarray()[0] for f in box.decode(audio=0)]
            )
        levels[ducked] = (band_rms(samples, 150, 0.3, 1.3), band_rms(samples, 150, 2.0, 3.3))
    (before_d, under_d), (before_u, under_u) = levels[True], levels[False]
    assert under_d < 0.5 * under_u  # at least 6 dB quieter while the voice speaks
    assert abs(before_d - before_u) < 0.1 * before_u  # and untouched before it starts


def test_cancel_leaves_nothing(tmp_path: Path, media_dir: Path) -> None:
    cancel = threading.Event()

    def progress(percent: float, step: str) -> None:
        if step.startswith("Rendering video"):
            cancel.set()

    with pytest.raises(Cancelled):
        render_timeline(
            timeline(), MediaResolver(media_dir), tmp_path / "out" / "c.mp4",
            progress=progress, cancel=cancel, work_dir=tmp_path / "work",
        )  # fmt: skip
    assert not any((tmp_path / "out").iterdir())
    assert not any((tmp_path / "work").iterdir())


def test_refused_media_names_the_field(tmp_path: Path, media_dir: Path) -> None:
    (tmp_path / "a.jpg").write_text("<html>not a photo</html>")
    (tmp_path / "b.png").write_bytes((media_dir / "b.png").read_bytes())
    with pytest.raises(InvalidMedia, match=r"video\[0\]\.source \(a\.jpg\): .*text file"):
        render_timeline(
            timeline(voice=None, music=None, captions=None), MediaResolver(tmp_path),
            tmp_path / "x.mp4",
        )  # fmt: skip
    assert not (tmp_path / "x.mp4").exists()


def test_missing_media_is_not_found(tmp_path: Path) -> None:
    with pytest.raises(NotFound, match="'a.jpg': no such file"):
        render_timeline(timeline(), MediaResolver(tmp_path), tmp_path / "x.mp4")


def test_captions_without_a_voice_are_refused_before_any_work(tmp_path: Path) -> None:
    captioned = timeline(voice=None)  # captions on, as the helper's timeline has them
    assert captioned.captions is not None and captioned.captions.enabled
    with pytest.raises(InvalidRequest, match="captions: need a voice track with a script"):
        render_timeline(captioned, MediaResolver(tmp_path), tmp_path / "x.mp4")
    assert list(tmp_path.iterdir()) == []


def test_the_model_takes_captions_for_a_voice_still_to_be_made_not_a_voice_without_words() -> None:
    doc = {"video": [{"kind": "photo", "source": "a.jpg", "duration_ms": 1000}], "captions": {}}
    assert parse_timeline(doc).captions is not None  # the job makes the voice from its script
    with pytest.raises(InvalidRequest, match="the voice track needs its script"):
        parse_timeline(doc | {"voice": {"source": "v.wav"}})


# ---------------------------------------------------------------------------------------------
# The media resolver and the poster's time: no FFmpeg needed


@pytest.mark.parametrize("source", ["../secret.jpg", "/etc/passwd", "sub/../../secret.jpg"])
def test_resolver_refuses_paths_that_leave_the_base(tmp_path: Path, source: str) -> None:
    base = tmp_path / "project"
    (base / "sub").mkdir(parents=True)
    (tmp_path / "secret.jpg").write_bytes(b"x")
    with pytest.raises((InvalidRequest, NotFound)):
        MediaResolver(base).resolve(source, tmp_path / "dl")


def test_resolver_refuses_a_symlink_out(tmp_path: Path) -> None:
    base = tmp_path / "project"
    base.mkdir()
    (tmp_path / "secret.jpg").write_bytes(b"x")
    (base / "photo.jpg").symlink_to(tmp_path / "secret.jpg")
    (base / "inside.jpg").write_bytes(b"y")
    (base / "alias.jpg").symlink_to(base / "inside.jpg")
    with pytest.raises(InvalidRequest, match="points outside"):
        MediaResolver(base).resolve("photo.jpg", tmp_path / "dl")
    assert MediaResolver(base).resolve("alias.jpg", tmp_path / "dl") == (base / "inside.jpg")


def test_resolver_remote_sources_need_a_fetcher(tmp_path: Path) -> None:
    with pytest.raises(InvalidRequest, match="no fetcher"):
        MediaResolver(tmp_path).resolve("gs://bucket/photo.jpg", tmp_path)
    fetched: list[str] = []

    def fetch(source: str, dest: Path) -> Path:
        fetched.append(source)
        path = dest / "downloaded.jpg"
        path.write_bytes(b"z")
        return path

    got = MediaResolver(None, fetch).resolve("media:abc_1", tmp_path)
    assert got == tmp_path / "downloaded.jpg" and fetched == ["media:abc_1"]
    with pytest.raises(InvalidRequest, match="need a base folder"):
        MediaResolver(None, fetch).resolve("a.jpg", tmp_path)


def test_poster_time_is_the_titles_frame_else_a_third() -> None:
    assert poster_time_ms(timeline()) == 550
    assert poster_time_ms(timeline(texts=[])) == 2100 // 3


def test_cancel_after_the_encode_delivers_nothing(tmp_path: Path, media_dir: Path) -> None:
    cancel = threading.Event()

    def progress(percent: float, step: str) -> None:
        if step.startswith("Rendering video") and percent >= 96:  # the encode has finished
            cancel.set()

    with pytest.raises(Cancelled):
        render_timeline(
            timeline(captions=None, texts=[]), MediaResolver(media_dir),
            tmp_path / "out" / "late.mp4", progress=progress, cancel=cancel,
        )  # fmt: skip
    assert not any((tmp_path / "out").iterdir())
