"""Our renderer as the benchmark measures it: the code `createstudio render` runs, with the
reference encoder settings (libx264, CRF 20, the preset under test) instead of the probed choice.
The single pass is the pipelined render (producer chunks streaming raw frames into one encoder).

    python bench/ours.py TIMELINE.json -o OUT.mp4 --preset medium [--segments N] --work DIR
    python bench/ours.py TIMELINE.json --dump-raw FRAMES.yuv --work DIR

--dump-raw writes our render's frames as raw yuv420p (no encode): the encode-only floor
then encodes exactly these frames.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from shared.render.graph.compiler import RenderOptions, compile_pipelined_plan
from shared.render.graph.plan import EncoderSettings
from shared.render.media.media_resolver import MediaResolver
from shared.render.run.pipelined import write_frames
from shared.render.run.segmented import render_segmented
from shared.render.service import prepare_media, render_timeline
from shared.timeline.validate import parse_timeline


def encoder(preset: str) -> EncoderSettings:
    return EncoderSettings(
        "libx264", ("-preset", preset, "-crf", "20", "-profile:v", "high", "-pix_fmt", "yuv420p")
    )


def dump_raw(timeline_path: Path, out: Path, work: Path) -> None:
    timeline = parse_timeline(timeline_path.read_text())
    resolver = MediaResolver(timeline_path.parent)
    media = prepare_media(timeline, resolver, work)
    # Exactly the chunks the render draws or graphs, without the encoder: the floor's frames.
    plan = compile_pipelined_plan(timeline, media, RenderOptions(encoder=encoder("medium")), None)
    fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    write_frames(plan, fd, work_dir=work)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("timeline", type=Path)
    ap.add_argument("-o", "--out", type=Path)
    ap.add_argument("--preset", default="medium")
    ap.add_argument("--segments", type=int, default=1)
    ap.add_argument("--work", type=Path, required=True)
    ap.add_argument("--dump-raw", type=Path)
    a = ap.parse_args()
    a.work.mkdir(parents=True, exist_ok=True)
    if a.dump_raw:
        dump_raw(a.timeline, a.dump_raw, a.work)
        return 0
    timeline = parse_timeline(a.timeline.read_text())
    resolver = MediaResolver(a.timeline.parent)
    if a.segments > 1:
        render_segmented(
            timeline, resolver, a.out, segments=a.segments, cache_dir=a.work / "segments",
            work_dir=a.work, encoder=encoder(a.preset),
        )  # fmt: skip
    else:
        render_timeline(timeline, resolver, a.out, work_dir=a.work, encoder=encoder(a.preset))
    return 0


if __name__ == "__main__":
    sys.exit(main())
