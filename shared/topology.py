"""The project's Pub/Sub topology as data (pure): which topics exist and who listens to them.

``ensure_topology`` (shared/adapters/provisioning.py) creates it on the emulator, and Terraform
mirrors the same list in production. Names here are logical; ``Settings.topic(name)`` adds the
deployment's prefix to topics and subscriptions alike, so two environments can share a project.

Every subscription forwards poison messages to ``dead-letter`` after 5 attempts, except the
dead-letter inbox itself, which exists so that dead letters are never lost (Pub/Sub drops
messages published to a topic without subscriptions). No subscription expires: a GPU box that is
switched off for a month must find its queue where it left it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

JOBS = "jobs"
TASKS_GPU = "tasks-gpu"
TASKS_CLOUD = "tasks-cloud"
JOB_EVENTS = "job-events"
DEAD_LETTER = "dead-letter"

ORCHESTRATOR = "orchestrator"
GPU_TASKS = "gpu-tasks"
CLOUD_RENDER = "cloud-render"
JOB_EVENTS_AUDIT = "job-events-audit"
DEAD_LETTER_INBOX = "dead-letter-inbox"

# Pub/Sub resource ids: 3-255 chars, start with a letter, no "goog" prefix.
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9\-_.~+%]{2,254}")
MIN_ACK_DEADLINE_S, MAX_ACK_DEADLINE_S = 10, 600
MIN_DELIVERY_ATTEMPTS, MAX_DELIVERY_ATTEMPTS = 5, 100
MAX_BACKOFF_S = 600


def check_resource_name(name: str) -> str:
    """Return ``name`` if Pub/Sub accepts it as a topic or subscription id, else raise."""
    if not _NAME.fullmatch(name) or name.lower().startswith("goog"):
        raise ValueError(
            f"{name!r} is not a valid Pub/Sub name (3-255 characters, starting with a letter, "
            "letters, digits and - _ . ~ + % only, not starting with 'goog')"
        )
    return name


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff between redeliveries (the emulator accepts it but redelivers at once)."""

    minimum_backoff_s: int = 10
    maximum_backoff_s: int = 600

    def __post_init__(self) -> None:
        if not 0 <= self.minimum_backoff_s <= self.maximum_backoff_s <= MAX_BACKOFF_S:
            raise ValueError(
                f"retry policy backoff {self.minimum_backoff_s}..{self.maximum_backoff_s} s: "
                f"need 0 <= minimum <= maximum <= {MAX_BACKOFF_S}"
            )


@dataclass(frozen=True)
class Subscription:
    name: str
    topic: str
    ack_deadline_s: int
    # None: no dead-letter policy (only for the inbox that collects dead letters).
    max_delivery_attempts: int | None = 5
    retry: RetryPolicy = RetryPolicy()

    def __post_init__(self) -> None:
        check_resource_name(self.name)
        if not MIN_ACK_DEADLINE_S <= self.ack_deadline_s <= MAX_ACK_DEADLINE_S:
            raise ValueError(
                f"subscription {self.name!r}: ack deadline {self.ack_deadline_s} s is outside "
                f"{MIN_ACK_DEADLINE_S}..{MAX_ACK_DEADLINE_S} s"
            )
        attempts = self.max_delivery_attempts
        if attempts is not None and not (
            MIN_DELIVERY_ATTEMPTS <= attempts <= MAX_DELIVERY_ATTEMPTS
        ):
            raise ValueError(
                f"subscription {self.name!r}: max_delivery_attempts {attempts} is outside "
                f"{MIN_DELIVERY_ATTEMPTS}..{MAX_DELIVERY_ATTEMPTS}"
            )


@dataclass(frozen=True)
class Topology:
    topics: tuple[str, ...]
    subscriptions: tuple[Subscription, ...]
    dead_letter_topic: str

    def __post_init__(self) -> None:
        for topic in self.topics:
            check_resource_name(topic)
        _no_duplicates("topic", self.topics)
        _no_duplicates("subscription", tuple(s.name for s in self.subscriptions))
        if self.dead_letter_topic not in self.topics:
            raise ValueError(f"dead-letter topic {self.dead_letter_topic!r} is not a topic")
        for sub in self.subscriptions:
            if sub.topic not in self.topics:
                raise ValueError(
                    f"subscription {sub.name!r} listens to unknown topic {sub.topic!r}"
                )
            if sub.topic == self.dead_letter_topic and sub.max_delivery_attempts is not None:
                raise ValueError(
                    f"subscription {sub.name!r} reads the dead-letter topic, so it must not "
                    "dead-letter into it again"
                )
        if not any(s.topic == self.dead_letter_topic for s in self.subscriptions):
            raise ValueError(
                f"no subscription on dead-letter topic {self.dead_letter_topic!r}: "
                "dead letters would be lost"
            )

    def subscription(self, name: str) -> Subscription:
        for sub in self.subscriptions:
            if sub.name == name:
                return sub
        raise KeyError(f"no subscription {name!r} in the topology")


def _no_duplicates(kind: str, names: tuple[str, ...]) -> None:
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise ValueError(f"{kind} {name!r} is listed twice")
        seen.add(name)


# Mirrored by terraform/main.tf (tests/unit/test_topology.py compares the two).
DEFAULT_TOPOLOGY = Topology(
    topics=(JOBS, TASKS_GPU, TASKS_CLOUD, JOB_EVENTS, DEAD_LETTER),
    subscriptions=(
        Subscription(ORCHESTRATOR, JOBS, ack_deadline_s=60),
        Subscription(GPU_TASKS, TASKS_GPU, ack_deadline_s=600),
        Subscription(CLOUD_RENDER, TASKS_CLOUD, ack_deadline_s=600),
        Subscription(JOB_EVENTS_AUDIT, JOB_EVENTS, ack_deadline_s=60),
        Subscription(DEAD_LETTER_INBOX, DEAD_LETTER, ack_deadline_s=60, max_delivery_attempts=None),
    ),
    dead_letter_topic=DEAD_LETTER,
)
