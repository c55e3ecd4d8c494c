"""``createstudio chains``: each capability's chain, its links, and which link would answer now.

Links come from each capability's own module, so what is printed is what runs. A capability
with no chain module yet prints its planned chain (DESIGN.md), marked "not wired yet". Keys are
never printed: a link says only that its key is "not set". GPU boxes come from the heartbeats
when Firestore answers.
"""

from __future__ import annotations

import argparse
import socket
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shared.chains import Link
from shared.imagery.clip import ClipRequest, clip_links
from shared.imagery.still import still_links
from shared.music.chain import music_links
from shared.pipeline.heartbeat import Heartbeat, is_online
from shared.pipeline.messages import Route
from shared.scripts.links import script_links
from shared.settings import Settings
from shared.timeline.model import Aspect
from shared.voice.chain import voice_links

NOT_WIRED = "not wired yet"
NO_FIRESTORE = "no GPU box online (Firestore not reachable)"

# Planned chains (DESIGN.md) for the capabilities whose module does not exist yet.
PLANNED = {
    "render": ("FFmpeg NVENC (GPU box)", "FFmpeg on Cloud Run (CPU)", "FFmpeg on the local CPU"),
}
ORDER = ("script", "voice", "music", "image", "clip", "render")


@dataclass(frozen=True)
class LinkLine:
    name: str
    unavailable: str | None  # why it cannot be tried now; None: it can
    credit: str = ""


@dataclass(frozen=True)
class ChainView:
    capability: str
    links: tuple[LinkLine, ...]
    wired: bool

    def answering(self) -> LinkLine | None:
        return next((link for link in self.links if link.unavailable is None), None)


def _lines(links: Sequence[Link[Any, Any]]) -> tuple[LinkLine, ...]:
    return tuple(LinkLine(link.name, link.unavailable(), link.credit_line()) for link in links)


def _clip_request() -> ClipRequest:
    # Only the links' availability is read; no clip is made from this request.
    return ClipRequest(
        prompt="", still=None, aspect=Aspect.LANDSCAPE, fps=24, duration_s=1, work_dir=Path(".")
    )


def chain_views(settings: Settings) -> list[ChainView]:
    """Every capability's chain in pipeline order (no link is run)."""
    wired: dict[str, Callable[[], Sequence[Link[Any, Any]]]] = {
        "script": lambda: script_links(settings),
        "voice": lambda: voice_links(None, settings),
        "music": lambda: music_links(settings, None),
        "image": lambda: still_links(settings, None),
        "clip": lambda: clip_links(_clip_request(), settings, None),
    }
    views = []
    for capability in ORDER:
        if capability in wired:
            views.append(ChainView(capability, _lines(wired[capability]()), wired=True))
        else:
            planned = tuple(LinkLine(name, NOT_WIRED) for name in PLANNED[capability])
            views.append(ChainView(capability, planned, wired=False))
    return views


def key_lines(settings: Settings) -> list[str]:
    keys = {
        "GEMINI_API_KEY": settings.gemini_api_key,
        "ELEVENLABS_API_KEY": settings.elevenlabs_api_key,
    }
    return [f"{name}: {'set' if value is not None else 'not set'}" for name, value in keys.items()]


def format_report(views: Sequence[ChainView], keys: Sequence[str], boxes: str) -> str:
    out = ["keys: " + ", ".join(keys), f"GPU boxes: {boxes}", ""]
    for view in views:
        suffix = "" if view.wired else f" ({NOT_WIRED}: planned in DESIGN.md)"
        out.append(f"{view.capability}{suffix}")
        for number, link in enumerate(view.links, start=1):
            state = "available" if link.unavailable is None else f"skipped: {link.unavailable}"
            if not view.wired:
                state = NOT_WIRED
            out.append(f"  {number}. {link.name} - {state}")
        answering = view.answering() if view.wired else None
        if answering is not None:
            out.append(f"  answers now: {answering.name} ({answering.credit})")
        elif view.wired:
            out.append("  answers now: none (every link is unavailable)")
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def describe_boxes(beats: Sequence[Heartbeat] | None) -> str:
    if beats is None:
        return NO_FIRESTORE
    gpu = [beat for beat in beats if beat.route is Route.GPU]
    if not gpu:
        return "no GPU box online"
    return "; ".join(
        f"{beat.worker_id} (models: {', '.join(beat.models) or 'none'})" for beat in gpu
    )


def _reachable(host_port: str, timeout_s: float = 1.0) -> bool:
    host, _, port = host_port.rpartition(":")
    try:
        with socket.create_connection((host or "localhost", int(port)), timeout=timeout_s):
            return True
    except (OSError, ValueError):
        return False


def online_heartbeats(settings: Settings) -> list[Heartbeat] | None:
    """The online workers' heartbeats, or None when Firestore cannot be reached."""
    host = settings.firestore_emulator_host
    if host is None or not _reachable(host):
        return None
    # Imported here: the offline report needs no Google client.
    from shared.adapters.clients import GoogleClients
    from shared.adapters.firestore_workers import FirestoreWorkerRegistry

    registry = FirestoreWorkerRegistry(
        GoogleClients(settings).firestore, deployment=settings.topic_prefix
    )
    now = registry.now()
    return [beat for beat in registry.all() if is_online(beat, now)]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    del parser  # no options


def run(args: argparse.Namespace) -> int:
    del args
    settings = Settings.from_env()
    report = format_report(
        chain_views(settings), key_lines(settings), describe_boxes(online_heartbeats(settings))
    )
    print(report, end="")
    return 0
