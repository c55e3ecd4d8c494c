"""Where a task runs (pure): a GPU box when one that takes the task is online and the job allows
it, else the cloud. Every fallback from what the job asked for comes with a warning.

    preference   GPU box online for the kind   GPU failed this task   route, warning
    cloud        any                           any                    cloud, none
    auto/local   yes                           no                     gpu,   none
    auto/local   no                            no                     cloud, "no GPU box online"
    auto/local   any                           yes                    cloud, "failed on the GPU"

``local`` with no GPU box online runs in the cloud with a warning rather than waiting: a job that
never finishes because a box is switched off breaks the product's first rule (graceful
degradation), and the warning tells the user what happened.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from shared.jobs import EnginePreference
from shared.pipeline.heartbeat import Heartbeat
from shared.pipeline.messages import Route, TaskKind


@dataclass(frozen=True)
class Decision:
    route: Route
    warning: str | None = None


def gpu_kinds(online: Iterable[Heartbeat]) -> frozenset[TaskKind]:
    """The task kinds some online GPU box takes."""
    return frozenset(kind for beat in online if beat.route is Route.GPU for kind in beat.tasks)


def route_task(
    kind: TaskKind,
    engine: EnginePreference,
    online_kinds: frozenset[TaskKind],
    gpu_strikes: int = 0,
    why_gpu_failed: str | None = None,
) -> Decision:
    """The route of one attempt of a task of ``kind``.

    ``gpu_strikes``: earlier GPU attempts of this task that failed or never started;
    ``why_gpu_failed`` says why, for the warning.
    """
    if engine is EnginePreference.CLOUD:
        return Decision(Route.CLOUD)
    if gpu_strikes > 0:
        reason = why_gpu_failed or "it failed there"
        return Decision(
            Route.CLOUD,
            f"{kind.value}: the GPU box could not do it ({reason}); retried on the cloud CPU "
            "worker (slower)",
        )
    if kind in online_kinds:
        return Decision(Route.GPU)
    wanted = "local GPU box was asked for but none" if engine is EnginePreference.LOCAL else "none"
    return Decision(
        Route.CLOUD,
        f"{kind.value}: a GPU box would be faster, but {wanted} that takes {kind.value} tasks is "
        "online; using the cloud CPU worker (slower)",
    )
