"""The audio mix as a filter graph: voice placed and trimmed, music looped with crossfades,
faded, ducked under the voice by a sidechain compressor, summed without normalisation and cut
to the video's exact length, 48 kHz stereo. Loudness normalisation happens later, in two passes
(the runtime measures this mix first)."""

from __future__ import annotations

from dataclasses import dataclass

from shared.render.graph.plan import MediaInfo
from shared.timeline import MusicTrack, VoiceTrack

MIN_LOOP_CROSSFADE_MS = 10


@dataclass(frozen=True)
class AudioSource:
    """A track and the input index its file has in the plan."""

    input_index: int
    media: MediaInfo


def _fmt(sample_rate: int) -> str:
    return f"aformat=sample_fmts=fltp:sample_rates={sample_rate}:channel_layouts=stereo"


def _seconds(ms: int) -> str:
    return f"{ms / 1000:.3f}"


def _voice_chain(voice: VoiceTrack, src: AudioSource, samples: int, rate: int) -> str:
    trim_end = voice.trim_end_ms or src.media.duration_ms
    trim = (
        f"atrim=start_sample={voice.trim_start_ms * rate // 1000}"
        f":end_sample={trim_end * rate // 1000},asetpts=PTS-STARTPTS,"
    )
    delay = f"adelay=delays={voice.offset_ms * rate // 1000}S:all=1," if voice.offset_ms else ""
    return (
        f"[{src.input_index}:a]{_fmt(rate)},{trim}volume={voice.volume:g},{delay}"
        f"apad=whole_len={samples},atrim=end_sample={samples}"
    )


def loop_crossfade_ms(music: MusicTrack, file_ms: int) -> int:
    """The crossfade between two copies of a music file that loops: at most half the file, and
    none when that is too short to hear (0: the copies are butt-joined)."""
    fade = min(music.loop_crossfade_ms, file_ms // 2)
    return fade if fade >= MIN_LOOP_CROSSFADE_MS else 0


def _music_loops(music: MusicTrack, file_ms: int, total_ms: int) -> tuple[int, int]:
    """How many copies of the music cover the video, and the crossfade between copies."""
    if file_ms >= total_ms:
        return 1, 0
    fade = loop_crossfade_ms(music, file_ms)
    copies = 1
    while copies * file_ms - (copies - 1) * fade < total_ms:
        copies += 1
    return copies, fade


def _music_chains(
    music: MusicTrack, src: AudioSource, samples: int, total_ms: int, rate: int
) -> list[str]:
    copies, fade = _music_loops(music, src.media.duration_ms, total_ms)
    head = f"[{src.input_index}:a]{_fmt(rate)}"
    chains: list[str] = []
    if copies == 1:
        label = f"{head},"
    else:
        outs = "".join(f"[mc{i}]" for i in range(copies))
        chains.append(f"{head},asplit={copies}{outs}")
        prev = "[mc0]"
        for i in range(1, copies):
            # acrossfade with d=0 is refused: a music file too short to fade is butt-joined.
            join = f"acrossfade=d={_seconds(fade)}:c1=tri:c2=tri" if fade else "concat=n=2:v=0:a=1"
            chains.append(f"{prev}[mc{i}]{join}[ml{i}]")
            prev = f"[ml{i}]"
        label = prev
    shaping = [f"atrim=end_sample={samples}", f"volume={music.volume:g}"]
    if music.fade_in_ms:
        shaping.append(f"afade=t=in:st=0:d={_seconds(music.fade_in_ms)}")
    if music.fade_out_ms:
        fade_out = min(music.fade_out_ms, total_ms)
        shaping.append(f"afade=t=out:st={_seconds(total_ms - fade_out)}:d={_seconds(fade_out)}")
    shaping.append(f"apad=whole_len={samples}")
    chains.append(f"{label}{','.join(shaping)}[music]")
    return chains


def audio_filter_graph(
    *,
    voice: tuple[VoiceTrack, AudioSource] | None,
    music: tuple[MusicTrack, AudioSource] | None,
    samples: int,
    sample_rate: int,
) -> str:
    """The whole mix, ending in the label ``[aout]``: exactly ``samples`` stereo samples."""
    total_ms = samples * 1000 // sample_rate
    end = f"atrim=end_sample={samples},{_fmt(sample_rate)}[aout]"
    if voice is None and music is None:
        return f"anullsrc=r={sample_rate}:cl=stereo,{end}"
    if music is None:
        assert voice is not None
        return f"{_voice_chain(*voice, samples, sample_rate)},{end}"
    chains = _music_chains(*music, samples, total_ms, sample_rate)
    if voice is None:
        return ";".join([*chains, f"[music]{end}"])
    duck = music[0].duck
    voice_chain = _voice_chain(*voice, samples, sample_rate)
    mix = f"amix=inputs=2:duration=first:normalize=0,{end}"
    if not duck.enabled:
        return ";".join([f"{voice_chain}[voice]", *chains, f"[voice][music]{mix}"])
    # The compressor is keyed on the voice itself, so the music dips only while someone speaks
    # and by as much as the voice is loud, not by a fixed ratio.
    return ";".join(
        [
            f"{voice_chain},asplit=2[voice][key]",
            *chains,
            f"[music][key]sidechaincompress=threshold={duck.threshold:g}:ratio={duck.ratio:g}"
            f":attack={duck.attack_ms}:release={duck.release_ms}[ducked]",
            f"[voice][ducked]{mix}",
        ]
    )
