"""The plain-FFmpeg command lines the benchmark compares against (copied from the team's
bench/render_ffmpeg.py): the naive zoompan recipe, and the encode-only floor.

Both share the reference audio graph (voice delayed, music ducked by a sidechain compressor)
and the reference encoder settings, so the only difference from our renderer is the video graph.
"""

from __future__ import annotations

import spec as sp


def _esc_text(s: str) -> str:
    # drawtext text escaping inside a single-quoted filtergraph value
    return (
        s.replace("\\", "\\\\\\\\").replace("'", "\u2019").replace(":", "\\:").replace("%", "\\%")
    )


def audio_graph(spec: sp.Spec, vo_idx: int, mus_idx: int) -> str:
    a = spec["audio"]
    total = sp.total_duration(spec)
    vo, mu = a["voiceover"], a["music"]
    d = mu["duck"]
    delay = int(round(vo["start"] * 1000))
    fo = mu.get("fade_out", 0)
    fmt = "aformat=sample_fmts=fltp:sample_rates=48000:channel_layouts=stereo"
    return (
        f"[{vo_idx}:a]{fmt},adelay={delay}:all=1,apad,atrim=0:{total},"
        f"volume={vo['gain_db']}dB,asplit=2[vo][key];"
        f"[{mus_idx}:a]{fmt},atrim=0:{total},volume={mu['gain_db']}dB"
        + (f",afade=t=out:st={total - fo}:d={fo}" if fo else "")
        + "[mus];"
        f"[mus][key]sidechaincompress=threshold={d['threshold']}:ratio={d['ratio']}:"
        f"attack={d['attack_ms']}:release={d['release_ms']}[duck];"
        "[vo][duck]amix=inputs=2:duration=first:normalize=0[aout]"
    )


def _drawtexts(spec: sp.Spec, font: str) -> str:
    parts = []
    for t in sp.text_abs_times(spec):
        box = ":box=1:boxcolor=black@0.45:boxborderw=24" if t.get("box") else ""
        parts.append(
            f"drawtext=fontfile='{font}':text='{_esc_text(t['text'])}':fontsize={t['size']}:"
            f"fontcolor={t.get('color', 'white')}:x=(w-text_w)/2:y=h*{t['y']}{box}:"
            f"enable='between(t,{t['abs_start']},{t['abs_end']})'"
        )
    return ",".join(parts)


def _encode(spec: sp.Spec, preset: str) -> list[str]:
    o = spec["output"]
    return [
        "-c:v",
        o["vcodec"],
        "-preset",
        preset,
        "-crf",
        str(o["crf"]),
        "-pix_fmt",
        o["pix_fmt"],
        "-r",
        str(spec["fps"]),
        "-c:a",
        o["acodec"],
        "-b:a",
        o["audio_bitrate"],
        "-ar",
        "48000",
        "-t",
        f"{sp.total_duration(spec)}",
        "-movflags",
        "+faststart",
    ]


def _audio_inputs(spec: sp.Spec) -> list[str]:
    a = spec["audio"]
    return ["-i", a["voiceover"]["path"], "-i", a["music"]["path"]]


def naive(ffmpeg: str, spec: sp.Spec, font: str, out: str, preset: str) -> list[str]:
    """scale=8000 + zoompan per photo, chained xfade, drawtext: the recipe most generators copy."""
    w, h, fps = spec["width"], spec["height"], spec["fps"]
    n = sp.clip_frames(spec)
    args = [ffmpeg, "-hide_banner", "-nostdin", "-y", "-v", "error"]
    graph = []
    for i, c in enumerate(spec["clips"]):
        args += ["-i", c["photo"]]
        z0, z1, cx0, cx1, cy0, cy1 = sp.kb_params(c)
        p = f"(on/{n - 1})"
        z = f"({z0}+({z1 - z0:.6f})*{p})"
        x = f"({cx0}+({cx1 - cx0:.6f})*{p})*iw-iw/zoom/2"
        y = f"({cy0}+({cy1 - cy0:.6f})*{p})*ih-ih/zoom/2"
        graph.append(
            f"[{i}:v]scale=8000:-1,crop='min(iw,ih*{w}/{h})':'min(ih,iw*{h}/{w})',"
            f"zoompan=z='{z}':x='{x}':y='{y}':d={n}:s={w}x{h}:fps={fps},setsar=1[v{i}]"
        )
    starts = sp.clip_starts(spec)
    td = spec["transition"]["duration"]
    prev = "v0"
    for i in range(1, len(spec["clips"])):
        graph.append(f"[{prev}][v{i}]xfade=transition=fade:duration={td}:offset={starts[i]}[x{i}]")
        prev = f"x{i}"
    graph.append(f"[{prev}]{_drawtexts(spec, font)},format=yuv420p[vout]")
    nclips = len(spec["clips"])
    args += _audio_inputs(spec)
    graph.append(audio_graph(spec, nclips, nclips + 1))
    args += ["-filter_complex", ";".join(graph), "-map", "[vout]", "-map", "[aout]"]
    return args + _encode(spec, preset) + [out]


def floor(ffmpeg: str, spec: sp.Spec, raw: str, out: str, preset: str) -> list[str]:
    """Encode-only floor: the same moving frames, pre-rendered as raw yuv420p, only encoded."""
    w, h, fps = spec["width"], spec["height"], spec["fps"]
    args = [ffmpeg, "-hide_banner", "-nostdin", "-y", "-v", "error"]
    args += ["-f", "rawvideo", "-pix_fmt", "yuv420p", "-s", f"{w}x{h}", "-framerate", str(fps)]
    args += ["-i", raw, *_audio_inputs(spec)]
    graph = "[0:v]null[vout];" + audio_graph(spec, 1, 2)
    args += ["-filter_complex", graph, "-map", "[vout]", "-map", "[aout]"]
    return args + _encode(spec, preset) + [out]
