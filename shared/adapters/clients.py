"""Google clients built from Settings on first use (never at import time).

With an emulator host in Settings a client talks to that emulator with anonymous credentials;
without one it uses Application Default Credentials against real Google Cloud. The Google
libraries choose the emulator from environment variables, so a Settings that disagrees with the
environment is refused rather than silently reaching the wrong backend.
"""

from __future__ import annotations

import os
from functools import cached_property

from google.api_core.client_options import ClientOptions
from google.auth.credentials import AnonymousCredentials, Credentials
from google.cloud import firestore
from google.cloud.pubsub_v1 import PublisherClient, SubscriberClient
from google.cloud.storage import Client as StorageClient

from shared.errors import ConfigError
from shared.settings import Settings


def _emulator(env_var: str, configured: str | None) -> bool:
    """True when the client must use an emulator; ConfigError if Settings and env disagree."""
    in_env = os.environ.get(env_var, "").strip() or None
    if in_env != configured:
        raise ConfigError(
            f"{env_var} is {in_env!r} in the environment but {configured!r} in Settings; "
            "build Settings with Settings.from_env() in the process that uses the clients"
        )
    return configured is not None


def _anonymous_if(emulated: bool) -> Credentials | None:
    return AnonymousCredentials() if emulated else None  # type: ignore[no-untyped-call]


class GoogleClients:
    """One set of clients per process; each is created the first time it is used."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    @cached_property
    def firestore(self) -> firestore.Client:
        emulated = _emulator("FIRESTORE_EMULATOR_HOST", self.settings.firestore_emulator_host)
        return firestore.Client(
            project=self.settings.project_id, credentials=_anonymous_if(emulated)
        )

    @cached_property
    def publisher(self) -> PublisherClient:
        _emulator("PUBSUB_EMULATOR_HOST", self.settings.pubsub_emulator_host)
        return PublisherClient()

    @cached_property
    def subscriber(self) -> SubscriberClient:
        _emulator("PUBSUB_EMULATOR_HOST", self.settings.pubsub_emulator_host)
        return SubscriberClient()

    @cached_property
    def storage(self) -> StorageClient:
        host = self.settings.storage_emulator_host
        emulated = _emulator("STORAGE_EMULATOR_HOST", host)
        return StorageClient(
            project=self.settings.project_id,
            credentials=_anonymous_if(emulated),
            client_options=ClientOptions(api_endpoint=host) if emulated else None,
        )

    def close(self) -> None:
        """Close the clients that were created (flushes pending publishes)."""
        created = vars(self)
        if "publisher" in created:
            self.publisher.stop()
        if "subscriber" in created:
            self.subscriber.close()
        if "storage" in created:
            self.storage.close()
