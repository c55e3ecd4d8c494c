"""The services the HTTP functions use, built once per process on first use (never at import)."""

from __future__ import annotations

import functools
from dataclasses import dataclass

import flask

from shared.adapters.clients import GoogleClients
from shared.adapters.firestore_media import FirestoreMediaLibrary
from shared.adapters.firestore_projects import FirestoreProjectStore
from shared.adapters.gcs_blobs import GcsBlobStore
from shared.auth.cookies import session_key
from shared.auth.service import Auth
from shared.auth.sessions import FirestoreSessionStore
from shared.auth.throttle import FirestoreLoginThrottle
from shared.auth.users import FirestoreUserStore
from shared.library.service import Library
from shared.pipeline.services import PipelineServices, bootstrap
from shared.projects.service import Projects
from shared.settings import Settings


@dataclass(frozen=True)
class Deps:
    settings: Settings
    clients: GoogleClients
    auth: Auth
    library: Library
    renders: GcsBlobStore

    def client_address(self, request: flask.Request) -> str:
        """The caller's address for login throttling.

        Locally the socket peer. On Google Cloud the front end appends the connecting address
        as the last X-Forwarded-For entry (earlier entries are whatever the client sent).
        """
        if not self.settings.local_mode:
            forwarded = request.headers.get("X-Forwarded-For", "")
            last = forwarded.rsplit(",", 1)[-1].strip()
            if last:
                return last[:64]
        return request.remote_addr or "unknown"


@functools.cache
def deps() -> Deps:
    settings = Settings.from_env()
    clients = GoogleClients(settings)
    db = clients.firestore
    media = FirestoreMediaLibrary(db)
    return Deps(
        settings=settings,
        clients=clients,
        auth=Auth(
            users=FirestoreUserStore(db),
            sessions=FirestoreSessionStore(db),
            throttle=FirestoreLoginThrottle(db),
            key=session_key(settings),
        ),
        library=Library(media, GcsBlobStore.from_clients(clients, settings.media_bucket)),
        renders=GcsBlobStore.from_clients(clients, settings.renders_bucket),
    )


@functools.cache
def drafts() -> Projects:
    """The editor's drafts (shared/projects)."""
    d = deps()
    return Projects(FirestoreProjectStore(d.clients.firestore), d.library.media)


@functools.cache
def pipeline() -> PipelineServices:
    """The job pipeline's ports (job store, task graphs, bus, worker registry)."""
    return bootstrap(deps().settings)
