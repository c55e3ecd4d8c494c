"""Google clients bound to one stack's emulators by address, whatever ``os.environ`` says.

Product code uses ``shared.adapters.clients.GoogleClients``, which follows the environment. The
stack cannot: it provisions before anyone exports its variables, and two stacks can live in one
process (tests), so it dials its own emulators explicitly (insecure gRPC, anonymous HTTP).
"""

from __future__ import annotations

from functools import cached_property

import grpc
from google.api_core.client_options import ClientOptions
from google.auth.credentials import AnonymousCredentials
from google.cloud.pubsub_v1 import PublisherClient, SubscriberClient
from google.cloud.storage import Client as StorageClient
from google.pubsub_v1.services.publisher.transports import PublisherGrpcTransport
from google.pubsub_v1.services.subscriber.transports import SubscriberGrpcTransport

from shared.localstack.net import Endpoint


class EmulatorClients:
    def __init__(self, project_id: str, pubsub: Endpoint, storage: Endpoint) -> None:
        self.project_id = project_id
        self._pubsub = pubsub
        self._storage = storage

    @cached_property
    def publisher(self) -> PublisherClient:
        channel = grpc.insecure_channel(self._pubsub.address)
        return PublisherClient(transport=PublisherGrpcTransport(channel=channel))

    @cached_property
    def subscriber(self) -> SubscriberClient:
        channel = grpc.insecure_channel(self._pubsub.address)
        return SubscriberClient(transport=SubscriberGrpcTransport(channel=channel))

    @cached_property
    def storage(self) -> StorageClient:
        return StorageClient(
            project=self.project_id,
            credentials=AnonymousCredentials(),  # type: ignore[no-untyped-call]
            client_options=ClientOptions(api_endpoint=self._storage.url),
        )

    def close(self) -> None:
        created = vars(self)
        if "publisher" in created:
            self.publisher.stop()
            self.publisher.transport.close()
        if "subscriber" in created:
            self.subscriber.close()
        if "storage" in created:
            self.storage.close()

    def __enter__(self) -> EmulatorClients:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
