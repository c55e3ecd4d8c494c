"""Session fixtures: the local stack (real Google emulators), started once, only if a test asks."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator

import pytest

from shared.localstack import RunningStack, StackConfig, start_stack
from shared.settings import Settings
from tests.ai_servers import acestep_server as ace
from tests.ai_servers.base import running
from tests.ai_servers.elevenlabs_server import ElevenLabsServer


@pytest.fixture(scope="session")
def stack() -> Iterator[RunningStack]:
    """Pub/Sub, Firestore (with firestore.rules) and GCS emulators, provisioned, for the run.

    os.environ points at them for the whole session, so clients built from the environment
    (``Settings.from_env()``, ``GoogleClients``) reach the emulators.
    """
    with start_stack(StackConfig(project_id="demo-createstudio-test")) as running:
        with pytest.MonkeyPatch.context() as env:
            for key, value in running.env.items():
                env.setenv(key, value)
            yield running


@pytest.fixture(scope="session")
def settings(stack: RunningStack) -> Settings:
    return stack.settings


@pytest.fixture
def unique() -> Callable[[str], str]:
    """``unique("jobs")`` -> ``"jobs-3f9a1c0b2d"``: a fresh name for each call.

    Pub/Sub topics and subscriptions must not be reused across tests: the emulator loses every
    later message on a subscription whose streaming pull was once closed (notes §0.4). The names
    are valid for topics, subscriptions, buckets and Firestore collections alike.
    """

    def make(prefix: str = "t") -> str:
        return f"{prefix}-{uuid.uuid4().hex[:10]}"

    return make


# Local servers speaking the vendors' wire protocols (tests/ai_servers), one per test.
@pytest.fixture
def acestep() -> Iterator[ace.AceStepServer]:
    with running(ace.AceStepServer()) as server:
        assert isinstance(server, ace.AceStepServer)
        yield server


@pytest.fixture
def elevenlabs() -> Iterator[ElevenLabsServer]:
    with running(ElevenLabsServer()) as server:
        assert isinstance(server, ElevenLabsServer)
        yield server
