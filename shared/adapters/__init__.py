"""Adapters: the ports (shared.ports) on Google Cloud: Firestore, Pub/Sub, GCS."""
