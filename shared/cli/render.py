"""``createstudio render TIMELINE.json -o OUT.mp4``: render a timeline file on this machine.

Relative media paths resolve against the timeline file's folder. Bad input (a missing file, an
invalid timeline, a refused photo) is one line on stderr and exit status 2; a render that fails
is exit status 1; Ctrl-C stops FFmpeg, leaves no partial output and exits 130.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from pathlib import Path
from typing import Any

from tqdm import tqdm

from shared.errors import (
    AppError,
    Cancelled,
    ConfigError,
    InvalidRequest,
    NotFound,
    RenderFailed,
)
from shared.logs import configure_logging
from shared.render.media.media_resolver import MediaResolver
from shared.render.service import RenderResult, render_timeline
from shared.timeline.model import Aspect, Quality, Timeline
from shared.timeline.validate import parse_timeline

EXIT_BAD_INPUT = 2
EXIT_RENDER_FAILED = 1
EXIT_INTERRUPTED = 130


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("timeline", type=Path, help="timeline JSON file (schema version 1)")
    parser.add_argument("-o", "--output", type=Path, required=True, help="the MP4 to write")
    parser.add_argument(
        "--format",
        choices=[a.value for a in Aspect],
        help="render in this aspect instead of the timeline's own",
    )
    parser.add_argument(
        "--preview", action="store_true", help="small and fast (a third of the size)"
    )
    parser.add_argument(
        "--segments",
        type=int,
        default=1,
        metavar="N",
        help="render in N segments in parallel, then join them (long timelines)",
    )
    parser.add_argument(
        "--cache-dir",
        type=Path,
        help="with --segments: where segments are kept for re-use by the next render "
        "(default: .createstudio-cache beside the output)",
    )
    parser.add_argument("--work-dir", type=Path, help="where intermediates go (default: temp)")
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    parser.add_argument("-v", "--verbose", action="store_true", help="log each step (JSON)")


def _load(args: argparse.Namespace) -> Timeline:
    try:
        raw = args.timeline.read_bytes()
    except FileNotFoundError:
        raise InvalidRequest(f"{args.timeline}: no such file") from None
    except OSError as exc:
        raise InvalidRequest(f"{args.timeline}: cannot read it ({exc.strerror})") from None
    timeline = parse_timeline(raw)
    if args.format:
        fmt = timeline.format.model_copy(update={"aspect": Aspect(args.format)})
        timeline = timeline.model_copy(update={"format": fmt})
    return timeline


def _render(args: argparse.Namespace, timeline: Timeline, bar: tqdm[Any]) -> RenderResult:
    def progress(percent: float, step: str) -> None:
        bar.set_description_str(step, refresh=False)
        bar.n = round(percent, 1)
        bar.refresh()

    common: dict[str, Any] = {
        "quality": Quality.PREVIEW if args.preview else None,
        "progress": progress,
        "work_dir": args.work_dir,
    }
    resolver = MediaResolver(args.timeline.resolve().parent)
    if args.segments > 1:
        # Imported only when asked for: the single-pass render does not need it.
        segmented = importlib.import_module("shared.render.run.segmented")
        cache_dir = args.cache_dir or args.output.resolve().parent / ".createstudio-cache"
        result: RenderResult = segmented.render_segmented(
            timeline, resolver, args.output, segments=args.segments, cache_dir=cache_dir, **common
        )
        return result
    return render_timeline(timeline, resolver, args.output, **common)


def _summary(result: RenderResult) -> str:
    loudness = (
        "silent"
        if result.loudness_lufs is None
        else f"{result.loudness_lufs:.1f} LUFS, true peak {result.true_peak_db:.1f} dBTP"
    )
    return (
        f"wrote {result.video_path} ({result.duration_ms / 1000:.2f} s, "
        f"{result.width}x{result.height} at {result.fps:g} fps, {result.frame_count} frames, "
        f"{result.size_bytes / 1e6:.1f} MB, {loudness}, {result.encoder}); "
        f"poster {result.poster_path}"
    )


def run(args: argparse.Namespace) -> int:
    if args.verbose:
        configure_logging("INFO")
    if args.segments < 1:
        print("error: --segments must be 1 or more", file=sys.stderr)
        return EXIT_BAD_INPUT
    try:
        timeline = _load(args)
        with tqdm(
            total=100,
            disable=args.quiet,
            bar_format="{desc}: {percentage:3.0f}%|{bar}| [{elapsed}<{remaining}]",
            file=sys.stderr,
        ) as bar:
            result = _render(args, timeline, bar)
    except (InvalidRequest, NotFound, ConfigError) as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except (KeyboardInterrupt, Cancelled):
        print("interrupted: no output written", file=sys.stderr)
        return EXIT_INTERRUPTED
    except AppError as exc:
        print(f"render failed: {exc.message}", file=sys.stderr)
        if isinstance(exc, RenderFailed) and exc.stderr_tail:  # the user's own terminal
            print(f"FFmpeg said:\n{exc.stderr_tail}", file=sys.stderr)
        return EXIT_RENDER_FAILED
    except OSError as exc:  # the output or work folder cannot be written
        print(f"render failed: {exc}", file=sys.stderr)
        return EXIT_RENDER_FAILED
    for warning in result.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    print(_summary(result))
    return 0
