"""The music chain: ACE-Step (its server on a GPU box) -> MusicGen (on a GPU box) -> ElevenLabs
music (keyed) -> the offline composer, then the bed fitted to the ad's exact length.

Every AI bed is decoded (and so validated) to 48 kHz 16-bit WAV by the media ingester, then
looped and cut on its bar lines at the tempo it was asked for (shared/music/fit.py): none of the
models reports where its bars fall, so the first bar is taken to start at the first frame. The
composer writes the programme's exact length itself, ending on its final chord.
"""

from __future__ import annotations

import dataclasses
import logging
import math
import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from shared.ai.acestep import AceStepMusic
from shared.ai.elevenlabs_music import ElevenLabsMusic
from shared.ai.musicgen import musicgen_audio
from shared.chains import ChainResult, Link, LinkFailed, run_chain
from shared.errors import InvalidMedia
from shared.imagery.models import MUSICGEN, ModelSource
from shared.imagery.still import _no_gpu_models
from shared.music.brief import MusicBrief
from shared.music.composer import compose
from shared.music.fit import bar_frames, fit_plan
from shared.music.fitted import write_fitted
from shared.music.pcm import wav_writer, write_block
from shared.render.media.ingest import ingest_audio
from shared.settings import Settings
from shared.usage import Allowance

log = logging.getLogger(__name__)

CROSSFADE_S, TAIL_S = 0.08, 0.6
MIN_BED_S = 1.0


@dataclass(frozen=True)
class MusicRequest:
    brief: MusicBrief
    duration_ms: int
    work_dir: Path


@dataclass(frozen=True)
class Bed:
    path: Path  # 16-bit WAV at 48 kHz
    fitted: bool  # already the programme's exact length (the composer's)


def _decoded(raw: Path, request: MusicRequest) -> Bed:
    """An AI link's file as a 16-bit WAV bed, or LinkFailed when it is not usable audio."""
    try:
        info = ingest_audio(raw, request.work_dir / "bed")
    except InvalidMedia as exc:
        raise LinkFailed(f"answered with audio that does not decode ({exc.message})") from exc
    if info.duration_ms < MIN_BED_S * 1000:
        raise LinkFailed(f"answered with only {info.duration_ms} ms of music")
    return Bed(Path(info.path), fitted=False)


def _bed_s(request: MusicRequest, longest_s: int) -> float:
    # A second more than the ad, so the cut at its end is never short of music.
    return min(float(longest_s), request.duration_ms / 1000 + 1)


def acestep_link(settings: Settings) -> Link[MusicRequest, Bed]:
    config = settings.music

    def run(request: MusicRequest) -> Bed:
        assert config.acestep_url is not None  # unavailable() said so otherwise
        client = AceStepMusic(
            config.acestep_url, api_key=config.acestep_api_key,
            timeout_s=config.acestep_timeout_s, deadline_s=config.acestep_deadline_s,
            poll_s=config.acestep_poll_ms / 1000,
        )  # fmt: skip
        brief = request.brief
        raw = client.compose(
            brief.describe(), bpm=brief.bpm, seconds=_bed_s(request, config.bed_max_s),
            seed=brief.seed, dest=request.work_dir / "acestep-answer",
        )  # fmt: skip
        return _decoded(raw, request)

    def unavailable() -> str | None:
        if config.acestep_url is None:
            return "no ACE-Step server here (CS_ACESTEP_URL is not set; it runs on a GPU box)"
        return None

    return Link("ACE-Step", run, unavailable, credit="made by ACE-Step")


def musicgen_link(settings: Settings, models: ModelSource | None) -> Link[MusicRequest, Bed]:
    def run(request: MusicRequest) -> Bed:
        assert models is not None  # unavailable() said so otherwise
        musicgen = models.pipeline(MUSICGEN)
        seconds = _bed_s(request, settings.music.musicgen_max_s)
        try:
            audio = musicgen_audio(
                musicgen, request.brief.describe(), seconds=seconds, seed=request.brief.seed
            )
        except RuntimeError as exc:  # CUDA out of memory and other torch failures
            raise LinkFailed(f"the model failed ({str(exc)[:200]})") from exc
        raw = request.work_dir / "musicgen.wav"
        peak = float(np.abs(audio).max()) if audio.size else 0.0
        with wav_writer(raw, musicgen.rate, audio.shape[1]) as out:
            write_block(out, audio / max(peak, 1.0))  # a clipped sample is scaled, not cut
        return _decoded(raw, request)

    return Link(
        "MusicGen", run, lambda: _no_gpu_models(models, MUSICGEN), credit="made by MusicGen"
    )


def elevenlabs_link(
    settings: Settings, allowance: Allowance | None = None
) -> Link[MusicRequest, Bed]:
    key, config = settings.elevenlabs_api_key, settings.music

    def run(request: MusicRequest) -> Bed:
        assert key is not None  # unavailable() said so otherwise
        length_ms = math.ceil(_bed_s(request, config.bed_max_s) * 1000)
        refused = allowance.take(math.ceil(length_ms / 1000)) if allowance else None
        if refused:
            raise LinkFailed(refused)
        client = ElevenLabsMusic(
            key, model=config.elevenlabs_model, timeout_s=config.elevenlabs_timeout_s,
            base_url=settings.elevenlabs_base_url,
        )  # fmt: skip
        raw = client.compose(
            request.brief.describe(), length_ms=length_ms,
            dest=request.work_dir / "elevenlabs-answer.mp3",
        )  # fmt: skip
        return _decoded(raw, request)

    def unavailable() -> str | None:
        return "key not set (ELEVENLABS_API_KEY)" if key is None else None

    credit = f"made by ElevenLabs ({config.elevenlabs_model})"
    return Link("ElevenLabs music", run, unavailable, credit=credit)


def composer_link() -> Link[MusicRequest, Bed]:
    def run(request: MusicRequest) -> Bed:
        path = compose(request.work_dir / "composed.wav", request.duration_ms, request.brief)
        return Bed(path, fitted=True)

    return Link("offline composer", run, credit="made by the offline composer")


def music_links(
    settings: Settings, models: ModelSource | None, allowance: Allowance | None = None
) -> list[Link[MusicRequest, Bed]]:
    """The chain; ElevenLabs' seconds count against ``allowance`` (the job owner's day)."""
    return [
        acestep_link(settings),
        musicgen_link(settings, models),
        elevenlabs_link(settings, allowance),
        composer_link(),
    ]


def _with_tempo(link: Link[MusicRequest, Bed], brief: MusicBrief) -> Link[MusicRequest, Bed]:
    """The link, its credit saying the tempo (and key) it was asked for."""
    key = f", {brief.key_name}" if link.name == "offline composer" else ""
    said = f"{brief.bpm} bpm{key}"
    credit = link.credit_line()
    credit = f"{credit[:-1]}, {said})" if credit.endswith(")") else f"{credit} ({said})"
    return dataclasses.replace(link, credit=credit)


def fit_bed(bed: Path, bpm: int, duration_ms: int, dest: Path) -> Path:
    """``bed`` looped and cut on its bar lines to exactly ``duration_ms``, written to ``dest``."""
    with wave.open(str(bed), "rb") as source:
        frames, rate = source.getnframes(), source.getframerate()
    plan = fit_plan(
        frames, bar_frames(bpm, rate), max(1, round(duration_ms * rate / 1000)),
        crossfade=round(CROSSFADE_S * rate), tail=round(TAIL_S * rate),
    )  # fmt: skip
    log.info("music fitted", extra={"segments": len(plan.segments), "bpm": bpm})
    return write_fitted(bed, plan, dest)


def make_music(
    request: MusicRequest,
    settings: Settings,
    models: ModelSource | None,
    allowance: Allowance | None = None,
) -> ChainResult[Path]:
    """The programme's music bed (stereo 16-bit WAV at 48 kHz, exactly ``duration_ms``)."""
    chain = music_links(settings, models, allowance)
    links = [_with_tempo(link, request.brief) for link in chain]
    made = run_chain("music", links, request)
    bed = made.value
    path = bed.path
    if not bed.fitted:
        path = fit_bed(bed.path, request.brief.bpm, request.duration_ms,
                       request.work_dir / "music.wav")  # fmt: skip
    return ChainResult(path, made.made_by, made.skipped, made.warning)
