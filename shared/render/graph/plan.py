"""The data that crosses from the pure compiler to the runner. No I/O here.

The compiler (``shared.render.graph.compiler``) turns a Timeline plus probed ``MediaInfo`` into a
``RenderPlan``; the runner (``shared.render.run.runner``) writes ``text_files`` into its work
directory, runs FFmpeg there (so the graph names text files by bare, app-chosen names), reports
progress and checks the result.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

LOCAL_FILES_ONLY = ("-protocol_whitelist", "file")


class MediaKind(StrEnum):
    IMAGE = "image"
    VIDEO = "video"
    AUDIO = "audio"


@dataclass(frozen=True)
class MediaInfo:
    """Facts about one local, already validated input file (photos are normalised first)."""

    path: str
    kind: MediaKind
    width: int = 0
    height: int = 0
    duration_ms: int = 0  # 0 for a still image
    fps: float = 0.0
    has_audio: bool = False
    container: str = ""  # the demuxer to force when opening it (e.g. "image2", "mov", "wav")


@dataclass(frozen=True)
class EncoderSettings:
    """The video encoder chosen by probing (see ``shared.render.run.encoders``)."""

    codec: str  # "libx264" or "h264_nvenc"
    args: tuple[str, ...]  # codec-specific options, e.g. ("-preset", "medium", "-crf", "20")


@dataclass(frozen=True)
class InputSpec:
    path: str
    options: tuple[str, ...] = ()  # options placed before "-i", e.g. ("-f", "image2")


@dataclass(frozen=True)
class RenderPlan:
    inputs: tuple[InputSpec, ...]
    filter_graph: str
    output_args: tuple[str, ...]  # -map, codecs, rates, flags: everything after the graph
    duration_ms: int
    frame_count: int
    text_files: dict[str, str] = field(default_factory=dict)  # bare name -> UTF-8 content

    def argv(self, ffmpeg: str, output_path: str) -> list[str]:
        # Only local files, read with a forced demuxer where known: no network protocol,
        # no playlist, no concat list can be smuggled in through a media file. FFmpeg applies
        # an input option to the next -i only, so every input gets its own whitelist.
        args = [ffmpeg, "-hide_banner", "-nostdin", "-y"]
        for spec in self.inputs:
            guard = () if "-protocol_whitelist" in spec.options else LOCAL_FILES_ONLY
            args += [*guard, *spec.options, "-i", spec.path]
        args += ["-filter_complex", self.filter_graph, *self.output_args, output_path]
        return args
