"""The gateway as the stack runs it: a real process on one port, cloud paths, static web/."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
import requests

from functions.http_deps import deps
from shared.adapters.firestore_workers import FirestoreWorkerRegistry
from shared.localstack import Endpoint, RunningStack
from shared.localstack.gateway import WEB_DIR, gateway_service
from shared.localstack.net import free_port
from shared.pipeline.heartbeat import Heartbeat
from shared.pipeline.messages import Route, TaskKind
from tests.integration.http_helpers import PASSWORD, new_user

pytestmark = pytest.mark.emulator


@pytest.fixture(scope="module")
def gateway(stack: RunningStack) -> Iterator[str]:
    endpoint = Endpoint("127.0.0.1", free_port())
    proc = stack.add(gateway_service(endpoint))
    yield endpoint.url
    proc.stop()
    stack.processes.remove(proc)


def test_static_files_and_no_escape(gateway: str) -> None:
    schema = requests.get(f"{gateway}/schema/timeline.schema.json", timeout=10)
    assert schema.status_code == 200 and schema.json()["type"] == "object"
    assert (WEB_DIR / "schema" / "timeline.schema.json").is_file()
    for path in ("/../pyproject.toml", "/%2e%2e/pyproject.toml", "/..%2fpyproject.toml"):
        assert requests.get(f"{gateway}{path}", timeout=10).status_code == 404


def test_login_and_status_over_the_port(gateway: str) -> None:
    beat = Heartbeat(
        worker_id=f"gpu-box-{uuid.uuid4().hex[:6]}",
        route=Route.GPU,
        cuda=True,
        gpu_name="RTX 4090",
        vram_mb=24_000,
        nvenc=True,
        tasks=(TaskKind.RENDER, TaskKind.CLIP),
        last_pull_at=datetime.now(UTC),
        started_at=datetime.now(UTC),
    )
    FirestoreWorkerRegistry(deps().clients.firestore).beat(beat)
    browser = requests.Session()
    assert browser.get(f"{gateway}/api/status", timeout=10).status_code == 401
    name = new_user()
    login = browser.post(
        f"{gateway}/api/auth/login", json={"name": name, "password": PASSWORD}, timeout=30
    )
    assert login.status_code == 200, login.text
    assert browser.get(f"{gateway}/api/auth/me", timeout=10).json()["uid"] == name
    status = browser.get(f"{gateway}/api/status", timeout=10).json()
    mine = [w for w in status["gpu_workers"] if w["worker_id"] == beat.worker_id]
    assert mine and mine[0]["nvenc"] and mine[0]["tasks"] == ["render", "clip"]
    assert status["tasks"]["render"] == {"gpu": True, "cloud": True}
    assert set(status["cloud_keys"]) == {"gemini", "elevenlabs"}
    assert browser.get(f"{gateway}/api/jobs", timeout=10).json()["jobs"] == []
    assert browser.get(f"{gateway}/api/nothing", timeout=10).status_code == 404
