"""The Cloud Functions entry points (GCF loads main.py): re-exports, and one error handler."""

import functions_framework
from werkzeug.exceptions import HTTPException

from functions.auth import auth
from functions.cloud_render import cloud_render
from functions.http_util import http_error
from functions.jobs import jobs
from functions.media import media
from functions.orchestrator import orchestrator
from functions.projects import projects
from functions.scripts import scripts
from functions.status import status
from functions.sweeper import sweeper
from functions.voices import voices

# functions_framework runs this file inside each app it makes: Werkzeug's own refusals (a path
# that matches none of its rules, with a newline say) answer JSON there, never an HTML page.
functions_framework.errorhandler(HTTPException)(http_error)

__all__ = [
    "auth",
    "cloud_render",
    "jobs",
    "media",
    "orchestrator",
    "projects",
    "scripts",
    "status",
    "sweeper",
    "voices",
]
