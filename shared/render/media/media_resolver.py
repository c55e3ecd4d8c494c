"""Turn a timeline's ``source`` strings into local files the render may read.

Relative paths (the CLI and the examples) resolve against one base folder and may not leave it,
through ``..`` or through a symlink. ``gs://`` and ``media:`` sources go through a fetch function
that the pipeline supplies (it downloads into the render's work folder); without one they are a
clear error, never a guess.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from shared.errors import InvalidRequest, NotFound

Fetch = Callable[[str, Path], Path]
"""(source, destination folder) -> the local file it downloaded there."""

REMOTE_PREFIXES = ("gs://", "media:")


class Resolver(Protocol):
    def resolve(self, source: str, dest_dir: Path) -> Path:
        """A local file for ``source``; ``dest_dir`` is where a download may be written."""
        ...


class MediaResolver:
    """Relative paths under ``base_dir``; library and GCS sources through ``fetch``."""

    def __init__(self, base_dir: Path | None = None, fetch: Fetch | None = None) -> None:
        self._base = base_dir.resolve() if base_dir is not None else None
        self._fetch = fetch

    def resolve(self, source: str, dest_dir: Path) -> Path:
        if source.startswith(REMOTE_PREFIXES):
            if self._fetch is None:
                raise InvalidRequest(
                    f"media source {source!r}: no fetcher for library or gs:// media is "
                    "configured here (use a relative file path, or run it in the pipeline)"
                )
            return self._fetch(source, dest_dir)
        return self._local(source)

    def _local(self, source: str) -> Path:
        if self._base is None:
            raise InvalidRequest(
                f"media source {source!r}: relative file paths need a base folder, none is set"
            )
        if Path(source).is_absolute() or "\\" in source or "\x00" in source:
            raise InvalidRequest(f"media source {source!r}: must be a relative path with '/'")
        candidate = self._base / source
        try:
            # resolve() follows every symlink, so a link pointing outside is caught below.
            real = candidate.resolve(strict=True)
        except FileNotFoundError:
            raise NotFound(f"media source {source!r}: no such file in {self._base}") from None
        if not real.is_relative_to(self._base):
            raise InvalidRequest(f"media source {source!r}: points outside {self._base}")
        if not real.is_file():
            raise InvalidRequest(f"media source {source!r}: is not a regular file")
        return real
