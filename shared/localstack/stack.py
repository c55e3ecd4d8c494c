"""The local stack: the emulators started, provisioned, and described for the code that uses them.

    with start_stack(StackConfig()) as stack:
        os.environ.update(stack.env)          # or pass stack.env to subprocesses
        ...                                   # clients built now talk to the emulators

Everything a stack starts runs in its own process group and is stopped by ``stop()`` (also on
exit, see cleanup.py). Ports are picked free unless configured and data lives in a fresh temp
dir, so two stacks on one machine never collide.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from shared.adapters.provisioning import ensure_bucket, ensure_topology
from shared.errors import ConfigError
from shared.localstack import emulators
from shared.localstack.clients import EmulatorClients
from shared.localstack.net import Endpoint, free_port, http_request, port_is_free
from shared.localstack.service import Service, ServiceProcess
from shared.settings import Settings
from shared.topology import DEFAULT_TOPOLOGY, Topology

log = logging.getLogger(__name__)

REPO_ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class StackConfig:
    # "demo-" ids are emulator-only by convention: nothing can reach a real project by mistake.
    project_id: str = "demo-createstudio"
    host: str = "127.0.0.1"
    pubsub_port: int = 0  # 0: any free port
    firestore_port: int = 0
    storage_port: int = 0
    topic_prefix: str = ""
    topology: Topology = DEFAULT_TOPOLOGY
    rules_file: Path = REPO_ROOT / "firestore.rules"
    sdk_root: Path | None = None  # None: the SDK that `gcloud` on PATH belongs to

    def __post_init__(self) -> None:
        if not self.project_id.startswith("demo-"):
            raise ConfigError(
                f"project id {self.project_id!r}: the local stack only runs emulator-only "
                "projects, whose ids start with 'demo-'"
            )
        for name, port in self.ports().items():
            if not 0 <= port <= 65535:
                raise ConfigError(f"{name} port {port} is not a TCP port (0-65535; 0 = any)")

    def ports(self) -> dict[str, int]:
        return {
            emulators.PUBSUB: self.pubsub_port,
            emulators.FIRESTORE: self.firestore_port,
            emulators.STORAGE: self.storage_port,
        }


@dataclass
class RunningStack:
    """A started stack. ``env`` points any process at it; ``settings`` is what it builds."""

    settings: Settings
    env: dict[str, str]
    endpoints: dict[str, Endpoint]
    data_dir: Path
    processes: list[ServiceProcess] = field(default_factory=list)

    def add(self, service: Service) -> ServiceProcess:
        """Start one more service (a function server, a worker) that lives as long as the stack."""
        return self.add_all([service])[0]

    def add_all(self, services: Sequence[Service]) -> list[ServiceProcess]:
        """Start several services side by side, then wait until each is ready.

        If one fails, all of them are stopped (the stack's earlier services keep running).
        """
        started = []
        try:
            for service in services:
                proc = ServiceProcess.start(service, self.workdir(service.name), self.child_env())
                started.append(proc)
                self.processes.append(proc)
            for proc in started:
                proc.wait_ready()
        except BaseException:
            for proc in reversed(started):
                proc.stop()
                self.processes.remove(proc)
            raise
        return started

    def workdir(self, service_name: str) -> Path:
        """A service's cwd, scratch space and log home (removed with the stack)."""
        return self.data_dir / service_name

    def child_env(self) -> dict[str, str]:
        """The environment for processes the stack starts: the caller's, pointed at the stack."""
        return {**os.environ, **self.env}

    def dead(self) -> list[ServiceProcess]:
        """Services that exited on their own."""
        return [p for p in self.processes if not p.running()]

    def clear_firestore(self) -> None:
        """Delete every document (the emulator's reset endpoint; rules and indexes stay)."""
        url = (
            f"{self.endpoints[emulators.FIRESTORE].url}/emulator/v1/projects/"
            f"{self.settings.project_id}/databases/(default)/documents"
        )
        status = http_request("DELETE", url)
        if status != 200:
            raise RuntimeError(f"Firestore emulator reset answered HTTP {status}")

    def stop(self) -> None:
        """Stop every service, newest first, and remove the data dir; safe to call twice."""
        while self.processes:
            self.processes.pop().stop()
        shutil.rmtree(self.data_dir, ignore_errors=True)
        log.info("stack stopped", extra={"data_dir": str(self.data_dir)})

    def __enter__(self) -> RunningStack:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def start_stack(config: StackConfig | None = None) -> RunningStack:
    """Start the emulators, wait until each answers, create the topology and the buckets."""
    config = config or StackConfig()
    endpoints = {name: Endpoint(config.host, port) for name, port in _ports(config).items()}
    sdk_root = config.sdk_root or emulators.find_sdk_root()
    services = [
        emulators.pubsub_service(sdk_root, endpoints[emulators.PUBSUB], config.project_id),
        emulators.firestore_service(sdk_root, endpoints[emulators.FIRESTORE], config.rules_file),
        emulators.storage_service(endpoints[emulators.STORAGE]),
    ]
    env = stack_env(config, endpoints)
    stack = RunningStack(
        settings=Settings.from_env(env),
        env=env,
        endpoints=endpoints,
        data_dir=Path(tempfile.mkdtemp(prefix="createstudio-stack-")),
    )
    try:
        # Launch all, then wait for each: the JVMs warm up side by side.
        for service in services:
            stack.processes.append(
                ServiceProcess.start(service, stack.workdir(service.name), stack.child_env())
            )
        for proc in stack.processes:
            proc.wait_ready()
        _provision(stack, config.topology)
    except BaseException:
        stack.stop()
        raise
    log.info(
        "stack ready",
        extra={"project": config.project_id, **{k: e.address for k, e in endpoints.items()}},
    )
    return stack


def stack_env(config: StackConfig, endpoints: dict[str, Endpoint]) -> dict[str, str]:
    """The variables that point Google clients and our Settings at the stack."""
    return {
        "GOOGLE_CLOUD_PROJECT": config.project_id,
        "PUBSUB_EMULATOR_HOST": endpoints[emulators.PUBSUB].address,
        "FIRESTORE_EMULATOR_HOST": endpoints[emulators.FIRESTORE].address,
        # The storage client wants a scheme here; the other two must not have one.
        "STORAGE_EMULATOR_HOST": endpoints[emulators.STORAGE].url,
        "CS_LOCAL": "1",
        "CS_MEDIA_BUCKET": f"{config.project_id}-media",
        "CS_RENDERS_BUCKET": f"{config.project_id}-renders",
        # Always set, even empty, so a prefix in the caller's environment cannot leak in.
        "CS_TOPIC_PREFIX": config.topic_prefix,
    }


def _ports(config: StackConfig) -> dict[str, int]:
    chosen: dict[str, int] = {}
    for name, port in config.ports().items():
        if port == 0:
            port = free_port(config.host)
            while port in chosen.values():  # the kernel may hand the same free port out twice
                port = free_port(config.host)
        elif not port_is_free(config.host, port):
            raise ConfigError(
                f"{name} port {port} on {config.host} is already in use "
                "(another stack or emulator?); pick another or pass 0 for any free port"
            )
        elif port in chosen.values():
            raise ConfigError(f"{name} port {port} is configured for two services")
        chosen[name] = port
    return chosen


def _provision(stack: RunningStack, topology: Topology) -> None:
    settings = stack.settings
    with EmulatorClients(
        settings.project_id, stack.endpoints[emulators.PUBSUB], stack.endpoints[emulators.STORAGE]
    ) as clients:
        ensure_topology(
            settings, topology, publisher=clients.publisher, subscriber=clients.subscriber
        )
        for bucket in (settings.media_bucket, settings.renders_bucket):
            ensure_bucket(settings, bucket, client=clients.storage)
