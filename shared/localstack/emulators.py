"""The three emulators as Services: Pub/Sub and Firestore (Google Cloud SDK, Java) and GCS.

The SDK's own launchers start about a second faster than ``gcloud ... emulators ... start``
(notes §6.5, §7.3); ``gcloud`` is the fallback for SDK layouts without them.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from shared.errors import ConfigError
from shared.localstack.net import Endpoint, http_answers
from shared.localstack.service import Service

PUBSUB = "pubsub"
FIRESTORE = "firestore"
STORAGE = "storage"

_PUBSUB_LAUNCHER = Path("platform/pubsub-emulator/bin/cloud-pubsub-emulator")
_FIRESTORE_LAUNCHER = Path("platform/cloud-firestore-emulator/cloud_firestore_emulator")


def find_sdk_root() -> Path:
    """The Google Cloud SDK install that ``gcloud`` on PATH belongs to."""
    gcloud = shutil.which("gcloud")
    if gcloud is None:
        raise ConfigError(
            "gcloud is not on PATH: install the Google Cloud CLI with its pubsub-emulator and "
            "cloud-firestore-emulator components (and Java 17+) to run the local stack"
        )
    return Path(gcloud).resolve().parent.parent  # <root>/bin/gcloud


def pubsub_service(sdk_root: Path, at: Endpoint, project_id: str) -> Service:
    launcher = sdk_root / _PUBSUB_LAUNCHER
    if launcher.is_file():
        argv: tuple[str, ...] = (str(launcher), f"--host={at.host}", f"--port={at.port}")
    else:
        argv = (
            *_gcloud(sdk_root),
            "beta",
            "emulators",
            "pubsub",
            "start",
            f"--host-port={at.address}",
            f"--project={project_id}",
            "--data-dir=.",  # the service's own work dir (its cwd)
        )
    return Service(PUBSUB, argv, ready=lambda: http_answers(at.url))


def firestore_service(sdk_root: Path, at: Endpoint, rules_file: Path) -> Service:
    if not rules_file.is_file():
        raise ConfigError(f"Firestore rules file {rules_file} does not exist")
    launcher = sdk_root / _FIRESTORE_LAUNCHER
    if launcher.is_file():
        argv: tuple[str, ...] = (
            str(launcher),
            "start",
            f"--host={at.host}",
            f"--port={at.port}",
            f"--rules={rules_file}",
        )
    else:
        argv = (
            *_gcloud(sdk_root),
            "emulators",
            "firestore",
            "start",
            f"--host-port={at.address}",
            f"--rules={rules_file}",
        )
    return Service(FIRESTORE, argv, ready=lambda: http_answers(at.url))


def storage_service(at: Endpoint) -> Service:
    """gcp-storage-emulator in its own process (in memory: nothing is left on disk)."""
    argv = (
        sys.executable,
        "-m",
        "gcp_storage_emulator",
        "start",
        f"--host={at.host}",
        f"--port={at.port}",
        "--in-memory",
    )
    return Service(STORAGE, argv, ready=lambda: http_answers(at.url))


def _gcloud(sdk_root: Path) -> tuple[str, ...]:
    # --quiet: fail instead of prompting to install a missing component (nobody would answer).
    return (str(sdk_root / "bin" / "gcloud"), "--quiet")
