"""The render benchmark (`make bench`): the reference timeline rendered by our renderer, beside the
encode-only floor and the naive zoompan recipe, measured side by side in one run.

    python bench/render.py            # 1080p reference (10 photos) + a 30-photo memory run
    python bench/render.py --quick    # smoke run: preview size, 4 photos, veryfast only

Each render runs as its own process tree, measured from outside (wall, CPU, peak RSS of the
largest process); each output is checked (duration, frames, size, fps, audio, motion) so a broken
graph cannot win. Results go to stdout and bench/out/results.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import assets
import check
import convert
import imageio_ffmpeg
import recipes
import smoothness
import spec as sp
from measure import Usage, measure

from shared.timeline import Timeline

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
OURS = HERE / "ours.py"
FONT = HERE.parent / "shared" / "render" / "fonts" / "DejaVuSans-Bold.ttf"
TARGETS = {"medium": 1.08, "veryfast": 1.25}
PEAK_TARGET_MIB = 600


@dataclass(frozen=True)
class Row:
    case: str
    preset: str
    photos: int
    usage: Usage
    check: check.Check | None  # None for the raw-frames dump (not a video)


@dataclass(frozen=True)
class Variant:
    name: str
    spec: sp.Spec
    timeline: Path


def _variant(name: str, spec: sp.Spec, quality: str) -> Variant:
    timeline = convert.to_timeline(spec, OUT)
    doc = timeline.model_dump(mode="json")
    doc["format"]["quality"] = quality
    path = OUT / f"timeline-{name}.json"
    path.write_text(json.dumps(doc, indent=1))
    return Variant(name, spec, path)


def _ours(variant: Variant, out: Path, preset: str, segments: int, work: Path) -> list[str]:
    cmd = [sys.executable, str(OURS), str(variant.timeline), "-o", str(out), "--preset", preset]
    return cmd + ["--segments", str(segments), "--work", str(work)]


def _run(label: str, preset: str, variant: Variant, cmd: list[str], out: Path, ffmpeg: str) -> Row:
    print(f"  {label:<22} {preset:<9}", end="", flush=True)
    usage = measure(cmd, str(OUT / "bench.log"))
    result = check.check(ffmpeg, str(out), variant.spec)
    verdict = "ok" if result.ok else f"FAILED CHECK: {result.why}"
    print(
        f"{usage.wall_s:7.1f} s wall {usage.cpu_s:7.1f} s CPU {usage.peak_mib:6.0f} MiB  {verdict}"
    )
    return Row(label, preset, len(variant.spec["clips"]), usage, result)


def bench_variant(
    variant: Variant, presets: list[str], segments: list[int], ffmpeg: str, baselines: bool
) -> list[Row]:
    """Our renders of ``variant`` at each preset, after the floor and naive ones if asked."""
    rows = []
    raw = OUT / f"frames-{variant.name}.yuv"
    work = OUT / "work"
    if baselines:
        print(f"pre-rendering {variant.name}'s frames for the encode-only floor ...", flush=True)
        dump = [sys.executable, str(OURS), str(variant.timeline), "--dump-raw", str(raw)]
        usage = measure(dump + ["--work", str(work / "dump")], str(OUT / "bench.log"))
        # What our frames cost without any encode (ingest included), to split the overhead.
        photos = len(variant.spec["clips"])
        rows.append(Row("ours, frames only (raw out)", "-", photos, usage, None))
    try:
        for preset in presets:
            if baselines:
                out = OUT / f"floor-{variant.name}-{preset}.mp4"
                cmd = recipes.floor(ffmpeg, variant.spec, str(raw), str(out), preset)
                rows.append(_run("encode-only floor", preset, variant, cmd, out, ffmpeg))
                out = OUT / f"naive-{variant.name}-{preset}.mp4"
                cmd = recipes.naive(ffmpeg, variant.spec, str(FONT), str(out), preset)
                rows.append(_run("naive zoompan", preset, variant, cmd, out, ffmpeg))
            for n in segments:
                out = OUT / f"ours-{variant.name}-{preset}-seg{n}.mp4"
                shutil.rmtree(work, ignore_errors=True)  # cold: ingest and segments from scratch
                label = "ours" if n == 1 else f"ours --segments {n}"
                rows.append(
                    _run(label, preset, variant, _ours(variant, out, preset, n, work), out, ffmpeg)
                )
    finally:
        raw.unlink(missing_ok=True)
        shutil.rmtree(work, ignore_errors=True)
    return rows


def _table(rows: list[Row]) -> str:
    """Wall and CPU, each also as a ratio to the floor's at the same preset and photo count (on
    a shared machine CPU time is the steadier of the two)."""
    floors = {(r.preset, r.photos): r.usage for r in rows if r.case == "encode-only floor"}
    cols = ["render", "photos", "preset", "wall s", "x floor", "CPU s", "x floor CPU", "peak MiB"]
    cols += ["frames", "motion", "check"]
    lines = ["| " + " | ".join(cols) + " |", "|---" * len(cols) + "|"]
    for r in rows:
        floor = floors.get((r.preset, r.photos))
        wall = f"{r.usage.wall_s / floor.wall_s:.2f}" if floor else "-"
        cpu = f"{r.usage.cpu_s / floor.cpu_s:.2f}" if floor else "-"
        c = r.check
        checked = (
            "- | - | -"
            if c is None
            else (f"{c.frames}/{c.expected_frames} | {c.motion:.1f} | {'ok' if c.ok else c.why}")
        )
        lines.append(
            f"| {r.case} | {r.photos} | {r.preset} | {r.usage.wall_s:.1f} | {wall} | "
            f"{r.usage.cpu_s:.1f} | {cpu} | {r.usage.peak_mib:.0f} | {checked} |"
        )
    return "\n".join(lines)


def _verdicts(rows: list[Row], smooth: list[smoothness.Smoothness]) -> list[str]:
    floors = {(r.preset, r.photos): r.usage for r in rows if r.case == "encode-only floor"}
    out = []
    for r in rows:
        floor = floors.get((r.preset, r.photos))
        target = TARGETS.get(r.preset)
        if r.case != "ours" or floor is None or target is None:
            continue
        for what, ratio in (
            ("wall", r.usage.wall_s / floor.wall_s),
            ("CPU", r.usage.cpu_s / floor.cpu_s),
        ):
            met = "met" if ratio <= target else f"MISSED by {ratio / target - 1:.0%}"
            out.append(
                f"{r.photos} photos, {r.preset}: {ratio:.2f}x the floor's {what} "
                f"(target <= {target}x) {met}"
            )
    for r in rows:
        if r.case.startswith("ours") and r.check is not None:
            met = "met" if r.usage.peak_mib <= PEAK_TARGET_MIB else "MISSED"
            out.append(
                f"{r.case}, {r.photos} photos, {r.preset}: peak {r.usage.peak_mib:.0f} MiB "
                f"(target <= {PEAK_TARGET_MIB}) {met}"
            )
    luma = smooth[0]
    out.append(
        f"Ken Burns (luma): edge error {luma.edge_error_px:.3f} px (target < 0.5) "
        f"{'met' if luma.edge_error_px < 0.5 else 'MISSED'}; judder {luma.judder_px:.3f} px/frame "
        f"(target <= 0.25) {'met' if luma.judder_px <= 0.25 else 'MISSED'}"
    )
    return out


def _report(rows: list[Row], smooth: list[smoothness.Smoothness], footer: str) -> None:
    print()
    print(_table(rows))
    print()
    print("| Ken Burns recipe | max edge error (output px) | RMS judder (output px/frame) |")
    print("|---|---|---|")
    for s in smooth:
        print(f"| {s.plane} | {s.edge_error_px:.3f} | {s.judder_px:.3f} |")
    print()
    for line in _verdicts(rows, smooth):
        print(line)
    print(f"\n{footer}")


def _load_results(path: Path) -> tuple[list[Row], list[smoothness.Smoothness], str]:
    data = json.loads(path.read_text())
    rows = [
        Row(
            r["case"],
            r["preset"],
            r["photos"],
            Usage(**r["usage"]),
            check.Check(**r["check"]) if r["check"] else None,
        )  # fmt: skip
        for r in data["rows"]
    ]
    footer = data.get("footer") or f"machine: {data['machine']}; ffmpeg: {data['ffmpeg']}"
    return rows, [smoothness.Smoothness(**s) for s in data["smoothness"]], footer


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="preview size, 4 photos, veryfast only")
    ap.add_argument("--no-30", action="store_true", help="skip the 30-photo memory run")
    ap.add_argument("--report", action="store_true", help="print the last run's results again")
    a = ap.parse_args()
    if a.report:
        _report(*_load_results(OUT / "results.json"))
        return 0
    ffmpeg = imageio_ffmpeg.get_ffmpeg_exe()
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "bench.log").write_text("")
    started = time.monotonic()
    photos = 4 if a.quick else (10 if a.no_30 else 30)
    print(f"assets -> {OUT / 'assets'} (voice: {assets.make_assets(OUT / 'assets', photos)})")
    if a.quick:
        reference = _variant("quick", sp.load_spec(OUT / "assets", 640, 360, clips=4), "preview")
        presets, extra = ["veryfast"], []
    else:
        reference = _variant("1080p", sp.load_spec(OUT / "assets"), "final")
        presets = ["medium", "veryfast"]
        extra = (
            []
            if a.no_30
            else [_variant("1080p-30", sp.load_spec(OUT / "assets", clips=30), "final")]
        )
    rows = bench_variant(reference, presets, [1, 2], ffmpeg, baselines=True)
    for variant in extra:  # memory must not grow with the photo count
        rows += bench_variant(variant, ["veryfast"], [1, 15], ffmpeg, baselines=False)
    smooth = smoothness.measure(Timeline.model_validate_json(reference.timeline.read_text()))
    machine = f"{platform.machine()}, {os.cpu_count()} CPUs, {platform.platform()}"
    took = time.monotonic() - started
    footer = f"machine: {machine}; ffmpeg: {Path(ffmpeg).name}; bench took {took:.0f} s"
    _report(rows, smooth, footer)
    results = {
        "rows": [asdict(r) for r in rows],
        "smoothness": [asdict(s) for s in smooth],
        "footer": footer,
    }
    (OUT / "results.json").write_text(json.dumps(results, indent=1))
    return 0 if all(r.check is None or r.check.ok for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
