"""The Cloud Functions entry points (GCF loads main.py): re-exports only."""

from functions.auth import auth
from functions.cloud_render import cloud_render
from functions.jobs import jobs
from functions.media import media
from functions.orchestrator import orchestrator
from functions.status import status
from functions.sweeper import sweeper

__all__ = ["auth", "cloud_render", "jobs", "media", "orchestrator", "status", "sweeper"]
