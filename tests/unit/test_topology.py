"""The Pub/Sub topology as data: its shape, its validation, its Terraform mirror."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest

from shared.adapters.provisioning import subscription_request, topic_path
from shared.settings import Settings
from shared.topology import (
    DEAD_LETTER,
    DEAD_LETTER_INBOX,
    DEFAULT_TOPOLOGY,
    RetryPolicy,
    Subscription,
    Topology,
    check_resource_name,
)

TERRAFORM = Path(__file__).resolve().parents[2] / "terraform" / "main.tf"


def settings(prefix: str = "") -> Settings:
    return Settings(project_id="demo-p", media_bucket="m", renders_bucket="r", topic_prefix=prefix)


def test_default_topology_has_the_designed_topics_and_listeners() -> None:
    assert set(DEFAULT_TOPOLOGY.topics) == {
        "jobs",
        "tasks-gpu",
        "tasks-cloud",
        "job-events",
        "dead-letter",
    }
    assert {s.name: s.topic for s in DEFAULT_TOPOLOGY.subscriptions} == {
        "orchestrator": "jobs",
        "gpu-tasks": "tasks-gpu",
        "cloud-render": "tasks-cloud",
        "job-events-audit": "job-events",
        "dead-letter-inbox": "dead-letter",
    }
    assert DEFAULT_TOPOLOGY.dead_letter_topic == DEAD_LETTER


def test_every_subscription_but_the_inbox_dead_letters_after_five_attempts() -> None:
    attempts = {s.name: s.max_delivery_attempts for s in DEFAULT_TOPOLOGY.subscriptions}
    assert attempts.pop(DEAD_LETTER_INBOX) is None
    assert set(attempts.values()) == {5}


def test_terraform_declares_the_same_subscriptions() -> None:
    # terraform/main.tf: "name" = { topic = "...", ack_deadline_seconds = N, dead_letter = bool }
    declared = {
        m["name"]: (m["topic"], int(m["ack"]), m["dlq"] == "true")
        for m in re.finditer(
            r'"(?P<name>[\w-]+)"\s*=\s*\{\s*topic\s*=\s*"(?P<topic>[\w-]+)",\s*'
            r"ack_deadline_seconds\s*=\s*(?P<ack>\d+),\s*dead_letter\s*=\s*(?P<dlq>true|false)",
            TERRAFORM.read_text(),
        )
    }
    assert declared == {
        s.name: (s.topic, s.ack_deadline_s, s.max_delivery_attempts is not None)
        for s in DEFAULT_TOPOLOGY.subscriptions
    }


def test_subscription_lookup_names_what_is_missing() -> None:
    assert DEFAULT_TOPOLOGY.subscription("gpu-tasks").topic == "tasks-gpu"
    with pytest.raises(KeyError, match="no-such"):
        DEFAULT_TOPOLOGY.subscription("no-such")


@pytest.mark.parametrize("name", ["jobs", "a-b_c.d~e+f%g", "x" * 255])
def test_valid_resource_names(name: str) -> None:
    assert check_resource_name(name) == name


@pytest.mark.parametrize("name", ["", "ab", "1jobs", "-jobs", "goog-jobs", "jo bs", "x" * 256])
def test_invalid_resource_names_are_refused(name: str) -> None:
    with pytest.raises(ValueError, match="not a valid Pub/Sub name"):
        check_resource_name(name)


def sub(
    name: str = "work", topic: str = "tasks", ack_deadline_s: int = 60, **kw: int
) -> Subscription:
    return Subscription(name, topic, ack_deadline_s, **kw)


INBOX = Subscription("inbox", "dlq", ack_deadline_s=60, max_delivery_attempts=None)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"ack_deadline_s": 9}, "ack deadline 9 s"),
        ({"ack_deadline_s": 601}, "ack deadline 601 s"),
        ({"max_delivery_attempts": 4}, "max_delivery_attempts 4"),
        ({"max_delivery_attempts": 101}, "max_delivery_attempts 101"),
        ({"name": "no"}, "'no' is not a valid Pub/Sub name"),
    ],
)
def test_subscription_limits(kwargs: dict[str, int], message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        sub(**kwargs)


@pytest.mark.parametrize(("low", "high"), [(-1, 10), (20, 10), (10, 601)])
def test_retry_policy_limits(low: int, high: int) -> None:
    with pytest.raises(ValueError, match="retry policy backoff"):
        RetryPolicy(low, high)


@pytest.mark.parametrize(
    ("topics", "subs", "message"),
    [
        (("tasks", "dlq"), (sub(topic="nope"), INBOX), "listens to unknown topic 'nope'"),
        (("tasks",), (sub(),), "dead-letter topic 'dlq' is not a topic"),
        (("tasks", "dlq"), (sub(),), "dead letters would be lost"),
        (("tasks", "dlq", "tasks"), (sub(), INBOX), "topic 'tasks' is listed twice"),
        (("tasks", "dlq"), (sub(), sub(), INBOX), "subscription 'work' is listed twice"),
        (("tasks", "dlq"), (sub(), replace(INBOX, max_delivery_attempts=5)), "dead-letter"),
        (("tasks", "dlq", "x"), (sub(), INBOX), "'x' is not a valid Pub/Sub name"),
    ],
)
def test_topology_refuses_inconsistent_wiring(
    topics: tuple[str, ...], subs: tuple[Subscription, ...], message: str
) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        Topology(topics=topics, subscriptions=subs, dead_letter_topic="dlq")


def test_subscription_request_applies_the_prefix_and_the_dead_letter_policy() -> None:
    s = settings(prefix="staging-")
    request = subscription_request(s, DEFAULT_TOPOLOGY, DEFAULT_TOPOLOGY.subscription("gpu-tasks"))
    assert request == {
        "name": "projects/demo-p/subscriptions/staging-gpu-tasks",
        "topic": "projects/demo-p/topics/staging-tasks-gpu",
        "ack_deadline_seconds": 600,
        "expiration_policy": {},
        "retry_policy": {"minimum_backoff": {"seconds": 10}, "maximum_backoff": {"seconds": 600}},
        "dead_letter_policy": {
            "dead_letter_topic": "projects/demo-p/topics/staging-dead-letter",
            "max_delivery_attempts": 5,
        },
    }


def test_the_inbox_request_has_no_dead_letter_policy() -> None:
    inbox = DEFAULT_TOPOLOGY.subscription(DEAD_LETTER_INBOX)
    request = subscription_request(settings(), DEFAULT_TOPOLOGY, inbox)
    assert "dead_letter_policy" not in request
    assert request["expiration_policy"] == {}


def test_a_prefix_that_makes_names_invalid_is_refused() -> None:
    with pytest.raises(ValueError, match="'9-jobs' is not a valid Pub/Sub name"):
        topic_path(settings(prefix="9-"), "jobs")
