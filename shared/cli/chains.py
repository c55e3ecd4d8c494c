"""``createstudio chains``: each capability's chain, its links, and which link would answer now.

Links come from each capability's own module, so what is printed is what runs. The GPU links
are judged by the online boxes' heartbeats (a model is there if a box advertises it) and the
render's route as the orchestrator routes it; the other links by this machine's settings. Keys
are never printed: a link says only that its key is "not set".
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
from shared.pipeline.messages import Route, TaskKind
from shared.scripts.links import script_links
from shared.settings import Settings
from shared.timeline.model import Aspect
from shared.voice.chain import voice_links

NO_FIRESTORE = "no GPU box online (Firestore not reachable)"
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

    def answering(self) -> LinkLine | None:
        return next((link for link in self.links if link.unavailable is None), None)


def _lines(links: Sequence[Link[Any, Any]]) -> tuple[LinkLine, ...]:
    return tuple(LinkLine(link.name, link.unavailable(), link.credit_line()) for link in links)


def _clip_request() -> ClipRequest:
    # Only the links' availability is read; no clip is made from this request (a clip from a
    # library photo, so Ken Burns is there as the last link).
    return ClipRequest(
        prompt="", still=Path("photo.jpg"), aspect=Aspect.LANDSCAPE, fps=24, duration_s=1,
        work_dir=Path("."),
    )  # fmt: skip


class OnlineModels:
    """The GPU links' view of the fleet: a model is there when an online box advertises it."""

    def __init__(self, beats: Sequence[Heartbeat]) -> None:
        self._boxes = [beat for beat in beats if beat.route is Route.GPU]

    def missing(self, name: str) -> str | None:
        having = [beat.worker_id for beat in self._boxes if name in beat.models]
        if having:
            return None
        if not self._boxes:
            return "no GPU box online"
        return f"no online GPU box has the {name} model"

    def pipeline(self, name: str) -> Any:
        raise AssertionError("createstudio chains runs no link")


def _render_lines(beats: Sequence[Heartbeat]) -> tuple[LinkLine, ...]:
    """The render's route (shared/pipeline/routing.py): a GPU box taking renders, else the cloud."""
    boxes = [b for b in beats if b.route is Route.GPU and TaskKind.RENDER in b.tasks]
    on_box = None if boxes else "no GPU box that takes renders is online"
    encoders = ", ".join(f"{b.worker_id}: {'NVENC' if b.nvenc else 'libx264'}" for b in boxes)
    return (
        LinkLine("GPU box", on_box, f"rendered on the GPU box ({encoders})" if boxes else ""),
        LinkLine("cloud CPU renderer", None, "rendered by the cloud CPU renderer (libx264)"),
    )


def chain_views(settings: Settings, beats: Sequence[Heartbeat] = ()) -> list[ChainView]:
    """Every capability's chain in pipeline order, as it stands with ``beats`` online (no link
    is run)."""
    models = OnlineModels(beats)
    chains: dict[str, Callable[[], Sequence[Link[Any, Any]]]] = {
        "script": lambda: script_links(settings),
        "voice": lambda: voice_links(None, settings),
        "music": lambda: music_links(settings, models),
        "image": lambda: still_links(settings, models),
        "clip": lambda: clip_links(_clip_request(), settings, models),
    }
    views = [ChainView(name, _lines(chains[name]())) for name in ORDER if name in chains]
    return [*views, ChainView("render", _render_lines(beats))]


def key_lines(settings: Settings) -> list[str]:
    keys = {
        "GEMINI_API_KEY": settings.gemini_api_key,
        "ELEVENLABS_API_KEY": settings.elevenlabs_api_key,
    }
    return [f"{name}: {'set' if value is not None else 'not set'}" for name, value in keys.items()]


def format_report(views: Sequence[ChainView], keys: Sequence[str], boxes: str) -> str:
    out = ["keys: " + ", ".join(keys), f"GPU boxes: {boxes}", ""]
    for view in views:
        out.append(view.capability)
        for number, link in enumerate(view.links, start=1):
            state = "available" if link.unavailable is None else f"skipped: {link.unavailable}"
            out.append(f"  {number}. {link.name} - {state}")
        answering = view.answering()
        if answering is not None:
            out.append(f"  answers now: {answering.name} ({answering.credit})")
        else:
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
    beats = online_heartbeats(settings)
    report = format_report(
        chain_views(settings, beats or ()), key_lines(settings), describe_boxes(beats)
    )
    print(report, end="")
    return 0
