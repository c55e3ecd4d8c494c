"""The Cloud Functions entry points (GCF loads main.py): re-exports only."""

from functions.auth import auth
from functions.jobs import jobs
from functions.media import media
from functions.status import status

__all__ = ["auth", "jobs", "media", "status"]
