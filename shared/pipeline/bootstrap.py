"""Build the pipeline's ports on Firestore, Pub/Sub and GCS (clients created on first use)."""

from __future__ import annotations

from shared.adapters.clients import GoogleClients
from shared.adapters.firestore_jobs import FirestoreJobStore
from shared.adapters.firestore_media import FirestoreMediaLibrary
from shared.adapters.firestore_pipeline import FirestorePipelineStore
from shared.adapters.firestore_usage import FirestoreUsageMeter
from shared.adapters.firestore_workers import FirestoreWorkerRegistry
from shared.adapters.gcs_blobs import GcsBlobStore
from shared.adapters.pubsub_bus import PubSubEventBus
from shared.pipeline.heartbeat import CachedOnline, RegistryOnline
from shared.pipeline.ports import PipelineConfig, PipelineServices
from shared.settings import Settings


def build(
    settings: Settings,
    config: PipelineConfig | None = None,
    clients: GoogleClients | None = None,
) -> PipelineServices:
    config = config or PipelineConfig.from_env()
    clients = clients or GoogleClients(settings)
    db = clients.firestore
    workers = FirestoreWorkerRegistry(db, deployment=settings.topic_prefix)
    return PipelineServices(
        settings=settings,
        jobs=FirestoreJobStore(db),
        pipelines=FirestorePipelineStore(db, deployment=settings.topic_prefix),
        bus=PubSubEventBus.from_clients(clients),
        workers=workers,
        online=CachedOnline(RegistryOnline(workers, config.stale_after_s), config.online_cache_s),
        renders=GcsBlobStore.from_clients(clients, settings.renders_bucket),
        media_files=GcsBlobStore.from_clients(clients, settings.media_bucket),
        media=FirestoreMediaLibrary(db),
        usage=FirestoreUsageMeter(db),
        config=config,
    )
