"""Routing (pure), exhaustively: every task kind x preference x who is online x earlier GPU
failures, plus what counts as online and how long the online set is cached."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest

from shared.jobs import EnginePreference
from shared.pipeline.heartbeat import CachedOnline, Heartbeat, is_online
from shared.pipeline.messages import Route, TaskKind
from shared.pipeline.routing import gpu_kinds, route_task

T0 = datetime(2026, 1, 1, tzinfo=UTC)
AUTO, LOCAL, CLOUD = EnginePreference.AUTO, EnginePreference.LOCAL, EnginePreference.CLOUD

# Who is online, as the set of kinds some GPU box takes: nobody, a box for this kind, a box
# for every other kind only.
ONLINE = ("none", "this kind", "other kinds")


def online_kinds(who: str, kind: TaskKind) -> frozenset[TaskKind]:
    return {
        "none": frozenset(),
        "this kind": frozenset({kind}),
        "other kinds": frozenset(TaskKind) - {kind},
    }[who]


# (preference, online, strikes) -> (route, warning mentions). Strikes: 0, or >= 1 (same row).
TABLE = {
    (CLOUD, "none", 0): (Route.CLOUD, None),
    (CLOUD, "this kind", 0): (Route.CLOUD, None),
    (CLOUD, "other kinds", 0): (Route.CLOUD, None),
    (CLOUD, "none", 1): (Route.CLOUD, None),
    (CLOUD, "this kind", 1): (Route.CLOUD, None),
    (CLOUD, "other kinds", 1): (Route.CLOUD, None),
    (AUTO, "none", 0): (Route.CLOUD, "none that takes"),
    (AUTO, "this kind", 0): (Route.GPU, None),
    (AUTO, "other kinds", 0): (Route.CLOUD, "none that takes"),
    (AUTO, "none", 1): (Route.CLOUD, "could not do it"),
    (AUTO, "this kind", 1): (Route.CLOUD, "could not do it"),
    (AUTO, "other kinds", 1): (Route.CLOUD, "could not do it"),
    (LOCAL, "none", 0): (Route.CLOUD, "local GPU box was asked for"),
    (LOCAL, "this kind", 0): (Route.GPU, None),
    (LOCAL, "other kinds", 0): (Route.CLOUD, "local GPU box was asked for"),
    (LOCAL, "none", 1): (Route.CLOUD, "could not do it"),
    (LOCAL, "this kind", 1): (Route.CLOUD, "could not do it"),
    (LOCAL, "other kinds", 1): (Route.CLOUD, "could not do it"),
}


def test_the_table_covers_every_combination() -> None:
    assert set(TABLE) == set(itertools.product(EnginePreference, ONLINE, (0, 1)))


@pytest.mark.parametrize(
    ("kind", "engine", "who", "strikes"),
    list(itertools.product(TaskKind, EnginePreference, ONLINE, (0, 1, 2))),
)
def test_route(kind: TaskKind, engine: EnginePreference, who: str, strikes: int) -> None:
    route, mentions = TABLE[(engine, who, min(strikes, 1))]
    decision = route_task(kind, engine, online_kinds(who, kind), strikes, "NVENC crashed")
    assert decision.route is route
    if mentions is None:
        assert decision.warning is None
    else:
        assert decision.warning is not None
        assert mentions in decision.warning and decision.warning.startswith(f"{kind.value}: ")
        assert "cloud CPU worker" in decision.warning
        assert ("NVENC crashed" in decision.warning) == (strikes > 0)


def beat(worker: str, route: Route = Route.GPU, **fields: object) -> Heartbeat:
    base: dict[str, object] = {
        "worker_id": worker, "route": route, "tasks": (TaskKind.RENDER,), "started_at": T0,
        "updated_at": T0, "last_pull_at": T0,
    }  # fmt: skip
    return Heartbeat.model_validate({**base, **fields})


def test_gpu_kinds_ignore_cloud_workers() -> None:
    beats = [
        beat("g1", tasks=(TaskKind.RENDER, TaskKind.MUSIC)),
        beat("g2", tasks=(TaskKind.VOICE,)),
        beat("c1", Route.CLOUD, tasks=(TaskKind.CLIP,)),
    ]
    assert gpu_kinds(beats) == {TaskKind.RENDER, TaskKind.MUSIC, TaskKind.VOICE}
    assert gpu_kinds([]) == frozenset()


@pytest.mark.parametrize(
    ("fields", "after_s", "online"),
    [
        ({}, 0, True),
        ({}, 30, True),
        ({}, 31, False),  # heartbeat stale
        ({"updated_at": None}, 0, False),  # never written by the store
        ({"stopping": True}, 0, False),  # SIGTERM: takes no new work
        ({"last_pull_at": None}, 0, False),  # idle and never pulled: not receiving
        ({"last_pull_at": T0 - timedelta(seconds=45)}, 0, False),  # idle, not pulling
        ({"last_pull_at": None, "current_task": "j/render#1"}, 0, True),  # busy, not pulling
    ],
)
def test_is_online(fields: dict[str, object], after_s: int, online: bool) -> None:
    assert is_online(beat("g", **fields), T0 + timedelta(seconds=after_s)) is online


def test_online_set_is_cached_for_its_ttl() -> None:
    reads: list[int] = []
    now = [0.0]

    class Source:
        def online(self) -> list[Heartbeat]:
            reads.append(1)
            return [beat(f"g{len(reads)}")]

    cached = CachedOnline(Source(), ttl_s=30, clock=lambda: now[0])
    assert [b.worker_id for b in cached.online()] == ["g1"]
    now[0] = 29.9
    assert [b.worker_id for b in cached.online()] == ["g1"] and len(reads) == 1
    now[0] = 30.0
    assert [b.worker_id for b in cached.online()] == ["g2"] and len(reads) == 2
