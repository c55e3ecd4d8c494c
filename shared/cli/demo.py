"""``createstudio demo`` (what ``make demo`` runs): the main job end to end on the local stack.

1. the stack as ``createstudio dev`` runs it (emulators, gateway, orchestrator, workers);
2. a demo user with a random password (printed);
3. the sample photos (examples/make_media.py), uploaded over HTTP through signed URLs;
4. the sample ad (examples/ad-16x9.json, its sources now ``media:<id>``) submitted to POST
   /api/jobs, then followed live from its Firestore document, read with the login's token under
   firestore.rules as the editor reads it: a progress bar, each step and every warning;
5. the MP4 and poster downloaded from their signed URLs into ``--out``, probed and measured;
6. the stack stopped. No API key, no GPU. Any failure: a message on stderr and exit status 1.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import requests
from tqdm import tqdm

from shared.adapters.clients import GoogleClients
from shared.auth.service import add_user
from shared.auth.users import FirestoreUserStore
from shared.cli.dev import start_local
from shared.errors import AppError
from shared.jobs import Job, JobStatus
from shared.localstack import ServiceStartError, StackConfig
from shared.localstack.api_client import ApiClient, ApiError
from shared.localstack.gateway import REPO_ROOT
from shared.localstack.user_firestore import DocumentUnreadable, UserFirestore
from shared.logs import configure_logging
from shared.render.media.loudness import measure_loudness
from shared.render.media.probe import probe_streams
from shared.settings import Settings
from shared.timeline import parse_timeline

EXAMPLE = REPO_ROOT / "examples" / "ad-16x9.json"
MAKE_MEDIA = REPO_ROOT / "examples" / "make_media.py"
BRAND = "Harbor Bakery"
BUSINESS = "a harbour-side bakery: sourdough, croissants and coffee, made by hand since 1990"
OFFER = "a free coffee with every loaf before 9 am"
Brief = dict[str, str | int]  # the body's "brief" (shared.scripts.brief.ScriptBrief)
ENDED = (JobStatus.DONE, JobStatus.ERROR, JobStatus.CANCELLED)


class DemoFailed(RuntimeError):
    """A step of the demo did not work; the message says which and why."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--out", type=Path, default=Path("out"), help="where the MP4 and poster go (%(default)s)"
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=600.0,
        metavar="S",
        help="give up on the job after S seconds (default: %(default)s)",
    )


def run(args: argparse.Namespace) -> int:
    # The services log to their own files; here only problems reach the terminal.
    configure_logging(os.environ.get("CS_LOG_LEVEL", "WARNING").upper())
    try:
        return _demo(args.out, args.timeout)
    except KeyboardInterrupt:
        print("createstudio demo: interrupted; the local stack is stopped", file=sys.stderr)
        return 130
    except (
        DemoFailed, ApiError, AppError, DocumentUnreadable, ServiceStartError, OSError,
        requests.RequestException, subprocess.CalledProcessError, ValueError,
    ) as exc:  # fmt: skip
        print(f"createstudio demo: {exc}", file=sys.stderr)
        return 1


def _demo(out_dir: Path, timeout_s: float) -> int:
    started = time.monotonic()
    print("Starting the local stack (emulators, gateway, orchestrator, CPU renderer, GPU box)...")
    stack, gateway = start_local(StackConfig(), gateway_port=0)
    with stack:
        if gateway is None:
            raise DemoFailed("the local stack started without its gateway")
        os.environ.update(stack.env)  # this process's Google clients reach the stack
        print(f"  editor and API at {gateway.url}/ (until the demo ends)")
        name, password = _demo_user(stack.settings)
        print(f"Demo user: {name}  password: {password}")

        photos = _sample_photos(EXAMPLE)
        api = ApiClient(gateway.url)
        api.login(name, password)
        sources = {}
        for photo in photos:
            media = api.upload(photo)
            sources[photo.name] = str(media["source"])
            print(
                f"  uploaded {photo.name} -> {media['source']} ({media['width']}x{media['height']})"
            )

        timeline, brief = sample_ad(json.loads(EXAMPLE.read_text()), sources)
        job = api.submit(BRAND, timeline, engine="auto", brief=brief)
        print(f"Submitted job {job['job_id']} ({EXAMPLE.name}); following it live:")
        assert api.firestore is not None
        final = follow(api.firestore, job["job_id"], timeout_s)
        if final.status is not JobStatus.DONE:
            raise DemoFailed(f"job {final.job_id} ended {final.status.value}: {final.error}")

        links = api.job(final.job_id).get("download") or {}
        if "video_url" not in links or "poster_url" not in links:
            raise DemoFailed(f"job {final.job_id} is done but offers no download links: {links}")
        video = api.download(links["video_url"], out_dir / f"{final.job_id}.mp4")
        poster = api.download(links["poster_url"], out_dir / f"{final.job_id}.jpg")
        print(describe_outputs(video, poster))
    print(f"Done in {time.monotonic() - started:.0f} s; the local stack is stopped.")
    return 0


def _demo_user(settings: Settings) -> tuple[str, str]:
    name = f"demo-{secrets.token_hex(3)}"
    password = secrets.token_urlsafe(18)
    clients = GoogleClients(settings)
    try:
        add_user(FirestoreUserStore(clients.firestore), name, password, datetime.now(UTC))
    finally:
        clients.close()
    return name, password


def _sample_photos(example: Path) -> list[Path]:
    """The example's photos, made by examples/make_media.py (kept if they exist: fast reruns)."""
    clips = json.loads(example.read_text())["video"]
    photos = [example.parent / clip["source"] for clip in clips]
    if not all(p.is_file() for p in photos):
        print(f"Making the sample media ({MAKE_MEDIA.relative_to(REPO_ROOT)})...")
        subprocess.run(
            [sys.executable, str(MAKE_MEDIA), "--out", str(photos[0].parent)],
            check=True, stdout=subprocess.DEVNULL, timeout=300,
        )  # fmt: skip
    missing = [str(p) for p in photos if not p.is_file()]
    if missing:
        raise DemoFailed(f"{MAKE_MEDIA.name} did not make {', '.join(missing)}")
    return photos


def sample_ad(example: dict[str, Any], sources: dict[str, str]) -> tuple[dict[str, Any], Brief]:
    """The example timeline for the API (each photo as its library ``media:<id>``) and the brief
    the pipeline writes the voiceover from.

    Its voice and music files are left out: the pipeline writes the script, speaks it and makes
    the music through the AI chains (their offline links, when nothing else is there), and the
    job's warnings say which link answered. The captions stay: they are timed to the made voice.
    """
    timeline = {k: v for k, v in example.items() if k not in ("voice", "music")}
    video = []
    for i, clip in enumerate(example["video"]):
        name = Path(clip["source"]).name
        if name not in sources:
            raise DemoFailed(f"video[{i}]: {name} was not uploaded")
        video.append({**clip, "source": sources[name]})
    timeline = {**timeline, "video": video}
    seconds = parse_timeline(timeline).duration_ms // 1000
    brief: Brief = {"brand": BRAND, "business": BUSINESS, "offer": OFFER, "duration_s": seconds}
    return timeline, brief


def follow(firestore: UserFirestore, job_id: str, timeout_s: float, every_s: float = 0.5) -> Job:
    """Poll ``jobs/{job_id}`` as its owner until it ends: a progress bar, steps and warnings."""
    deadline = time.monotonic() + timeout_s
    seen_steps: set[str] = set()
    seen_warnings: set[str] = set()
    status = None
    bar_format = "{desc}: {bar} {n:.0f}% [{elapsed}]"
    with tqdm(total=100, bar_format=bar_format, mininterval=0.5) as bar:
        while True:
            job = Job.model_validate(firestore.document(f"jobs/{job_id}"))
            if job.status != status:
                status = job.status
                bar.write(f"  status: {status.value}")
            if job.step and job.step not in seen_steps:
                seen_steps.add(job.step)
                bar.write(f"  step: {job.step}")
            for warning in job.warnings:
                if warning not in seen_warnings:
                    seen_warnings.add(warning)
                    bar.write(f"  warning: {warning}")
            bar.set_description_str(job.step[:40])
            bar.update(job.progress - bar.n)
            if job.status in ENDED:
                return job
            if time.monotonic() > deadline:
                raise DemoFailed(
                    f"job {job_id} still {job.status.value} after {timeout_s:.0f} s "
                    f"(step: {job.step!r}, {job.progress:.0f}%)"
                )
            time.sleep(every_s)


def describe_outputs(video: Path, poster: Path) -> str:
    facts = probe_streams(video)
    loudness = measure_loudness(video)
    picture = (
        f"{facts.video.width}x{facts.video.height} at {facts.video.fps:g} fps, "
        if facts.video
        else ""
    )
    return "\n".join(
        [
            f"Video:  {video}",
            f"        {facts.duration_ms / 1000:.2f} s, {picture}"
            f"{video.stat().st_size / 1e6:.1f} MB, {loudness.integrated_lufs:.1f} LUFS "
            f"(true peak {loudness.true_peak_db:.1f} dBTP)",
            f"Poster: {poster} ({poster.stat().st_size / 1e3:.0f} kB)",
        ]
    )
