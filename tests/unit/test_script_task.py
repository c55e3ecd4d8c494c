"""The ``script`` task: a job that brings a brief instead of a script has its voiceover written
by the script chain first; the voice reads what it wrote, and every warning reaches the job."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from shared.errors import InvalidRequest
from shared.jobs import EnginePreference, new_job
from shared.pipeline import taskgraph as tg
from shared.pipeline.executors import ScriptExecutor, TaskContext
from shared.pipeline.messages import TaskKind
from shared.pipeline.services import submit_job
from shared.scripts.brief import ScriptBrief
from shared.timeline.validate import parse_timeline
from tests.fakes import InMemoryBlobStore
from tests.pipeline_fakes import SETTINGS, fake_services

NOW = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
BRIEF = ScriptBrief(brand="Harbor Bakery", business="a bakery: sourdough and coffee", duration_s=15)
PHOTO = {"kind": "photo", "source": "a.jpg", "duration_ms": 15000}


def timeline(**extra: Any) -> Any:
    return parse_timeline({"video": [PHOTO], **extra})


def test_a_brief_plans_the_script_before_the_voice() -> None:
    pipeline = tg.plan("j1", "alice", timeline(), NOW, brief=BRIEF)
    assert [(t.name, t.kind, t.needs) for t in pipeline.tasks] == [
        ("script", TaskKind.SCRIPT, ()),
        ("voice", TaskKind.VOICE, ("script",)),
        ("music", TaskKind.MUSIC, ()),
        ("render", TaskKind.RENDER, ("script", "voice", "music")),
    ]
    assert [t.name for t in pipeline.ready()] == ["script", "music"]
    assert pipeline.brief == BRIEF and pipeline.spoken_script is None


def test_a_brief_is_not_used_where_nothing_would_speak_it() -> None:
    voiced = timeline(voice={"source": "v.wav", "script": "Hello"})
    pipeline = tg.plan("j1", "alice", voiced, NOW, brief=BRIEF)
    assert [t.name for t in pipeline.tasks] == ["music", "render"] and pipeline.brief is None


def test_the_voice_reads_the_written_script() -> None:
    pipeline = tg.plan("j1", "alice", timeline(), NOW, brief=BRIEF)
    written = pipeline.task("script").model_copy(
        update={"state": tg.TaskState.DONE, "result": {"script": "Fresh bread."}}
    )
    pipeline = pipeline.model_copy(update={"tasks": (written, *pipeline.tasks[1:])})
    assert pipeline.spoken_script == "Fresh bread."
    assert [t.name for t in pipeline.ready()] == ["voice", "music"]


def test_a_script_and_a_brief_together_are_refused() -> None:
    ports = fake_services()
    with pytest.raises(InvalidRequest, match="either a script .* or a brief"):
        submit_job(
            uid="alice", brand_name="Harbor Bakery", timeline=timeline(),
            engine=EnginePreference.AUTO, job_id="j2", jobs=ports.jobs, pipelines=ports.pipelines,
            bus=ports.bus, settings=ports.settings, now=NOW, script="Hi", brief=BRIEF,
        )  # fmt: skip


def test_the_script_executor_writes_offline_and_a_redelivery_reads_the_stored_answer(
    tmp_path: Path,
) -> None:
    renders = InMemoryBlobStore("renders")
    job = new_job("j1", "alice", NOW, brand_name="Harbor Bakery",
                  timeline=timeline().model_dump(mode="json"))  # fmt: skip
    pipeline = tg.plan("j1", "alice", timeline(), NOW, brief=BRIEF)
    ctx = TaskContext(
        job=job, pipeline=pipeline, task="script", attempt=1, work_dir=tmp_path,
        progress=lambda pct, step: None, cancel=threading.Event(),
    )  # fmt: skip
    executor = ScriptExecutor(renders, SETTINGS)
    assert executor.existing(ctx) is None

    result = executor.run(ctx)

    assert "Harbor Bakery" in result["script"] and result["title"] and result["call_to_action"]
    assert result["made_by"] == "offline template writer"
    warnings = [v for k, v in result.items() if k.startswith("warning")]
    assert warnings[0].startswith("script: Ollama: CS_OLLAMA_HOST is not set"), warnings
    assert "written by the offline template writer" in warnings[0]
    assert len(result["script"].split()) <= 15 * 2.5  # fits 15 s when spoken
    assert executor.existing(ctx) == result  # a redelivered task calls no link again
