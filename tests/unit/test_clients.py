"""GoogleClients: built lazily, and never pointed somewhere other than what Settings says."""

from __future__ import annotations

import pytest

from shared.adapters.clients import GoogleClients
from shared.errors import ConfigError
from shared.settings import Settings

EMULATOR_VARS = ("FIRESTORE_EMULATOR_HOST", "PUBSUB_EMULATOR_HOST", "STORAGE_EMULATOR_HOST")


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for var in EMULATOR_VARS:
        monkeypatch.delenv(var, raising=False)
    return monkeypatch


def emulated(**hosts: str) -> Settings:
    return Settings(project_id="demo-clients", media_bucket="m", renders_bucket="r", **hosts)


@pytest.mark.parametrize(
    ("attribute", "field", "var", "host"),
    [
        ("firestore", "firestore_emulator_host", "FIRESTORE_EMULATOR_HOST", "127.0.0.1:1"),
        ("publisher", "pubsub_emulator_host", "PUBSUB_EMULATOR_HOST", "127.0.0.1:2"),
        ("subscriber", "pubsub_emulator_host", "PUBSUB_EMULATOR_HOST", "127.0.0.1:2"),
        ("storage", "storage_emulator_host", "STORAGE_EMULATOR_HOST", "http://127.0.0.1:3"),
    ],
)
def test_settings_and_environment_must_agree(
    clean_env: pytest.MonkeyPatch, attribute: str, field: str, var: str, host: str
) -> None:
    clients = GoogleClients(emulated(**{field: host}))  # builds nothing yet
    with pytest.raises(ConfigError, match=var):
        getattr(clients, attribute)

    clean_env.setenv(var, host)
    client = getattr(clients, attribute)
    assert getattr(clients, attribute) is client  # one client per process
    clients.close()

    clean_env.setenv(var, "127.0.0.1:9")
    with pytest.raises(ConfigError, match="127.0.0.1:9"):
        getattr(GoogleClients(emulated(**{field: host})), attribute)
