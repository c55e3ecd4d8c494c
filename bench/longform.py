"""The long-form benchmark (`make bench-longform`): one long timeline rendered by 1 and by 2
workers, each worker a process of its own taking one segment at a time (as a Cloud Run instance
or a GPU box does), its x264 limited to one thread so the comparison is fair on one machine.

    python bench/longform.py            # the runs below, figures to bench/out/longform.json
    python bench/longform.py --quick    # a smoke run of a few minutes of programme
    python bench/longform.py --only ten-final   # the 10 minutes at 1080p final, 1 and 2 workers
    python bench/longform.py --only two-hours   # 2 hours at preview, 2 workers: seams and sync

The runs (sizes chosen so the whole bench fits in about twenty minutes on 2 cores):
    ten       a 10-minute preview-quality timeline of 120 photos with transitions, title, voice
              and music: wall with 1 and 2 workers, and the two joined files compared frame by
              frame (decoded-frame MD5s)
    final     30 s of such a timeline at 1080p final quality, in two segments: the same
              comparison at full size
    hour      a 60-minute preview-quality timeline of 720 photos: wall with 1 and 2 workers and
              the peak memory (VmHWM) of every worker process
    two-hours (--only, not in the full run) 2 hours at preview quality, 740 photos, 2 workers:
              the timestamps at every seam, the audio's end against the video's (every run
              reports them)
    kills     the 10-minute render with 2 workers, a worker killed with SIGKILL mid-segment 10
              times: every job finishes with one output, and only killed segments render twice
    edit      one clip of the 10-minute timeline changed, rendered again: only its segments
              render, against the time of the full render

The engine is the one the fleet runs (shared/render/run/distributed.py); the scheduling here stands
in for Pub/Sub (a queue, one segment per worker at a time, a killed one re-queued).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import imageio_ffmpeg  # noqa: E402
from frames import frames_md5  # noqa: E402

from examples.make_media import draw_photo  # noqa: E402
from shared.music.brief import read_brief  # noqa: E402
from shared.music.composer import compose  # noqa: E402
from shared.render.media.media_resolver import MediaResolver  # noqa: E402
from shared.render.run.distributed import (  # noqa: E402
    join,
    prepare_segment,
    render_mix,
    render_segment,
    segment_encoder,
)
from shared.render.run.segments import segment_count, segment_ranges  # noqa: E402
from shared.settings import Settings  # noqa: E402
from shared.timeline.model import Timeline  # noqa: E402
from shared.timeline.validate import parse_timeline  # noqa: E402
from shared.voice.chain import speak  # noqa: E402
from shared.voice.spoken import write_voice_file  # noqa: E402

OUT = REPO / "bench" / "out" / "longform"
SEGMENT_MS = 60_000
MIX = -1  # the mix's place in the work queue
TRANSITIONS = ("dissolve", "wipeleft", "fade", "slideup")
LINE = "Fresh bread every morning, baked by hand at the harbour since nineteen eighty two. "


def make_timeline(name: str, photos: int, quality: str, *, voice: bool, edit: bool = False,
                  clip_ms: int = 5000) -> Path:  # fmt: skip
    """A long timeline of ``photos`` generated photos (under bench/out/longform, relative to the
    repo, as the local resolver wants), saved as JSON; ``edit`` changes clip 7's motion."""
    folder = OUT / "photos"
    folder.mkdir(parents=True, exist_ok=True)
    clips = []
    for i in range(photos):
        path = folder / f"p{i % 60:03d}.jpg"  # 60 distinct photos, re-used as a real album is
        if not path.exists():
            draw_photo(i % 60 + 1, 1920, 1080).save(path, "JPEG", quality=88)
        clip: dict[str, Any] = {"kind": "photo", "source": str(path.relative_to(REPO)),
                                "duration_ms": clip_ms}  # fmt: skip
        if i % 2 == 0:
            clip["transition"] = {"type": TRANSITIONS[i // 2 % 4], "duration_ms": 500}
        motions = ("zoom_in", "pan_left", "zoom_out", "pan_right")
        clip["kenburns"] = {"motion": motions[i % 4]}
        if edit and i == 7:
            clip["kenburns"] = {"motion": "pan_up", "strength": 0.9}
        clips.append(clip)
    doc: dict[str, Any] = {
        "kind": "long_form",
        "format": {"aspect": "16:9", "fps": 30, "quality": quality},
        "video": clips,
        "texts": [{"role": "title", "text": "Harbor Bakery", "start_ms": 0, "end_ms": 4000}],
    }
    ms = parse_timeline(doc).duration_ms
    music = OUT / f"music-{ms}.wav"
    if not music.exists():
        compose(music, ms, read_brief("warm acoustic, 96 bpm"))
    doc["music"] = {"source": str(music.relative_to(REPO)), "volume": 0.5}
    if voice:
        wav = OUT / "voice.wav"
        script = LINE * 8
        if not wav.exists():
            spoken = speak(script, None, Settings("bench", "bench", "bench"))
            write_voice_file(spoken.value, wav)
        doc["voice"] = {"source": str(wav.relative_to(REPO)), "script": script}
    path = OUT / f"{name}.json"
    path.write_text(json.dumps(doc))
    return path


def load(path: Path) -> Timeline:
    return parse_timeline(json.loads(path.read_text()))


def mix_main(timeline_path: str, out: str) -> None:
    """The mix task in a worker process (``python bench/longform.py mix ...``)."""
    render_mix(load(Path(timeline_path)), MediaResolver(REPO), Path(out))
    print(json.dumps({"mix": out}))


def worker_main(timeline_path: str, index: int, first: int, end: int, cache: str) -> None:
    """One worker process rendering one segment (``python bench/longform.py segment ...``)."""
    timeline = load(Path(timeline_path))
    encoder = segment_encoder(timeline, threads=1)
    scratch = Path(cache) / f".work-{os.getpid()}"
    scratch.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    prepared = prepare_segment(timeline, index, (first, end), MediaResolver(REPO), scratch,
                               encoder)  # fmt: skip
    target = Path(cache) / f"{prepared.segment.key}.mp4"
    rendered = not target.exists()
    if rendered:
        part = scratch / "segment.mp4"
        render_segment(timeline, prepared, encoder, part, work_dir=scratch)
        part.rename(target)  # whole or not at all, as the bucket's upload is
    peak = next(line for line in Path("/proc/self/status").read_text().splitlines()
                if line.startswith("VmHWM"))  # fmt: skip
    subprocess.run(["rm", "-rf", str(scratch)], check=False)
    print(json.dumps({"key": prepared.segment.key, "rendered": rendered, "path": str(target),
                      "seconds": time.monotonic() - started,
                      "peak_mib": int(peak.split()[1]) / 1024}))  # fmt: skip


@dataclass
class Run:
    name: str
    workers: int
    segments: int
    wall_s: float
    rendered: int
    peak_mib: float
    kills: int = 0
    rendered_twice: list[int] = field(default_factory=list)
    frames_md5: str = ""
    timing: dict[str, Any] = field(default_factory=dict)


def render_fleet(timeline_path: Path, workers: int, cache: Path, *, kills: int = 0,
                 seed: int = 7, segment_ms: int = SEGMENT_MS) -> tuple[Run, Path]:  # fmt: skip
    """Every segment through ``workers`` worker processes, then the mix and the join."""
    timeline = load(timeline_path)
    ranges = segment_ranges(timeline, segment_count(timeline, segment_ms))
    cache.mkdir(parents=True, exist_ok=True)
    mix = OUT / f"{timeline_path.stem}-mix.wav"
    todo = [MIX, *range(len(ranges))]  # the mix is a task too, taken by the first free worker
    running: dict[int, subprocess.Popen[str]] = {}
    paths: dict[int, str] = {}
    renders = dict.fromkeys(range(len(ranges)), 0)
    starts = dict.fromkeys(range(len(ranges)), 0)
    killed: list[int] = []
    peak = 0.0
    rng = random.Random(seed)
    started = time.monotonic()
    kill_at = started + rng.uniform(2, 6)
    while todo or running:
        while todo and len(running) < workers:
            i = todo.pop(0)
            if i == MIX:
                argv = [sys.executable, __file__, "mix", str(timeline_path), str(mix)]
            else:
                starts[i] += 1
                argv = [sys.executable, __file__, "segment", str(timeline_path), str(i),
                        str(ranges[i][0]), str(ranges[i][1]), str(cache)]  # fmt: skip
            running[i] = subprocess.Popen(argv, stdout=subprocess.PIPE, text=True,
                                          start_new_session=True)  # fmt: skip
        # A segment not killed before (the kills spread over the programme), mid-render.
        fresh_ones = sorted(i for i in running if i != MIX and i not in killed)
        if kills > len(killed) and time.monotonic() > kill_at and fresh_ones:
            victim = rng.choice(fresh_ones)
            os.killpg(running[victim].pid, signal.SIGKILL)  # the worker and its FFmpegs
            running.pop(victim).wait()
            killed.append(victim)
            todo.insert(0, victim)  # retried alone, the others keep their results
            kill_at = time.monotonic() + rng.uniform(4, 8)
        for i, proc in list(running.items()):
            if proc.poll() is None:
                continue
            out = proc.stdout.read() if proc.stdout else ""
            running.pop(i)
            if proc.returncode != 0:
                raise SystemExit(f"segment {i} failed (exit {proc.returncode})")
            report = json.loads(out.strip().splitlines()[-1])
            if i == MIX:
                continue
            paths[i] = report["path"]
            renders[i] += int(report["rendered"])
            peak = max(peak, report["peak_mib"])
        time.sleep(0.05)
    out = OUT / f"{timeline_path.stem}-{workers}w.mp4"
    joined = join(timeline, [Path(paths[i]) for i in range(len(ranges))],
                  sum(e - f for f, e in ranges), mix, out, warnings=[])  # fmt: skip
    wall = time.monotonic() - started
    # Started more than once: each killed segment, and only those, should be here.
    twice = sorted(i for i, n in starts.items() if n > 1)
    assert twice == sorted(set(killed)), (twice, killed)
    assert all(n <= 1 for n in renders.values())  # no segment was finished twice
    run = Run(timeline_path.stem, workers, len(ranges), round(wall, 1), sum(renders.values()),
              round(peak, 1), len(killed), twice)  # fmt: skip
    run.frames_md5 = frames_md5(joined.video_path)
    run.timing = av_timing(joined.video_path)
    return run, joined.video_path


def av_timing(video: Path) -> dict[str, Any]:
    """The joined file's packet timestamps, read without decoding (a stream copy to framemd5):
    whether every video frame follows the last by one frame's time (no gap, no doubled frame at a
    seam), and how far the audio's end is from the video's end."""
    argv = [imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-i", str(video), "-map", "0",
            "-c", "copy", "-f", "framemd5", "-"]  # fmt: skip
    lines = subprocess.run(argv, capture_output=True, text=True, check=True).stdout.splitlines()
    bases: dict[int, float] = {}
    for line in lines:  # "#tb 0: 1/15360"
        if line.startswith("#tb "):
            index, base = line[4:].split(":")
            num, den = base.strip().split("/")
            bases[int(index)] = int(num) / int(den)
    packets: dict[int, list[tuple[int, int]]] = {0: [], 1: []}
    for line in lines:
        if not line.startswith("#"):
            stream, _dts, pts, duration = (int(value) for value in line.split(",")[:4])
            packets[stream].append((pts, duration))
    video = sorted(packets[0])  # presentation order
    steps = {b[0] - a[0] for a, b in zip(video, video[1:], strict=False)}
    video_end = (video[-1][0] + video[-1][1]) * bases[0]
    audio_end = (packets[1][-1][0] + packets[1][-1][1]) * bases[1]
    return {"video_frames": len(video), "frame_steps": sorted(steps),
            "video_start_s": round(video[0][0] * bases[0], 4),
            "video_end_s": round(video_end, 4), "audio_end_s": round(audio_end, 4),
            "av_end_gap_ms": round((audio_end - video_end) * 1000, 1)}  # fmt: skip


def fresh(cache: Path) -> Path:
    subprocess.run(["rm", "-rf", str(cache)], check=True)
    return cache


def one_run(name: str) -> None:
    """A run of its own, its figures to bench/out/longform-{name}.json."""
    found: dict[str, Any] = {"machine": f"{os.cpu_count()} cores"}
    if name == "two-hours":  # 2 workers only: the seams and the sync at the far end
        # 740 photos of 10 s: a long_form timeline holds at most 1000 clips.
        path = make_timeline("two-hours", 740, "preview", voice=False, clip_ms=10_000)
        two, _ = render_fleet(path, 2, fresh(OUT / "cache-two-hours"))
        found["runs"] = [asdict(two)]
    elif name == "kills":
        ten = make_timeline("ten", 120, "preview", voice=True)
        killed, _ = render_fleet(ten, 2, fresh(OUT / "cache-kills"), kills=10)
        found["runs"] = [asdict(killed)]
    else:
        path = (make_timeline("ten-final", 120, "final", voice=True) if name == "ten-final"
                else make_timeline("hour", 720, "preview", voice=False))  # fmt: skip
        one, _ = render_fleet(path, 1, fresh(OUT / f"cache-{name}-1"))
        two, _ = render_fleet(path, 2, fresh(OUT / f"cache-{name}-2"))
        found["speedup"] = round(one.wall_s / two.wall_s, 2)
        found["equal"] = one.frames_md5 == two.frames_md5
        found["runs"] = [asdict(one), asdict(two)]
    (OUT.parent / f"longform-{name}.json").write_text(json.dumps(found, indent=2))
    print(json.dumps(found, indent=2), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--only", choices=("kills", "ten-final", "hour", "two-hours"),
                        help="one run alone: the kills, the full 10 minutes at 1080p final "
                        "(about 35 min here), the hour, or two hours with 2 workers "
                        "(about 25 min)")  # fmt: skip
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    if args.only:
        one_run(args.only)
        return
    scale = 6 if args.quick else 1
    runs: list[Run] = []
    results: dict[str, Any] = {"machine": f"{os.cpu_count()} cores", "runs": runs}

    def both(name: str, path: Path, segment_ms: int = SEGMENT_MS) -> None:
        one, _ = render_fleet(path, 1, fresh(OUT / f"cache-{name}-1"), segment_ms=segment_ms)
        two, _ = render_fleet(path, 2, fresh(OUT / f"cache-{name}-2"), segment_ms=segment_ms)
        runs.extend([one, two])
        results[f"{name}_speedup"] = round(one.wall_s / two.wall_s, 2)
        results[f"{name}_equal"] = one.frames_md5 == two.frames_md5
        print(json.dumps({"run": name, "1": asdict(one), "2": asdict(two),
                          "speedup": results[f"{name}_speedup"]}), flush=True)  # fmt: skip

    ten = make_timeline("ten", 120 // scale, "preview", voice=True)
    both("ten", ten)
    # 30 s at 1080p in two segments: a full 10 minutes would take 40 minutes a worker here.
    final = make_timeline("final", 6 // scale or 2, "final", voice=True)
    both("final", final, segment_ms=15_000 // scale)
    if not args.quick:
        both("hour", make_timeline("hour", 720, "preview", voice=False))
    killed, _ = render_fleet(ten, 2, fresh(OUT / "cache-kills"), kills=10 // scale or 1)
    runs.append(killed)
    print(json.dumps({"run": "kills", **asdict(killed)}), flush=True)
    edited = make_timeline("ten-edited", 120 // scale, "preview", voice=True, edit=True)
    again, _ = render_fleet(edited, 2, OUT / "cache-ten-2")  # the cache of the full 2-worker run
    runs.append(again)
    full = next(r for r in runs if r.name == "ten" and r.workers == 2)
    results["edit_rendered"] = f"{again.rendered} of {again.segments} segments"
    results["edit_vs_full"] = round(again.wall_s / full.wall_s, 2)
    print(json.dumps({"run": "edit", **asdict(again)}), flush=True)
    results["runs"] = [asdict(r) for r in runs]
    (OUT.parent / "longform.json").write_text(json.dumps(results, indent=2))
    print(json.dumps({k: v for k, v in results.items() if k != "runs"}, indent=2))


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "mix":
        mix_main(sys.argv[2], sys.argv[3])
    elif len(sys.argv) > 1 and sys.argv[1] == "segment":
        worker_main(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]),
                    sys.argv[6])  # fmt: skip
    else:
        main()
