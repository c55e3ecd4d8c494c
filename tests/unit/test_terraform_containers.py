"""The Dockerfiles and the GPU box's files: linted (hadolint, checkov), the renderer's CMD equal
to what Terraform runs, and that very command, started as a process on the local stack,
answering a Pub/Sub push."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from tests.unit.test_terraform_workloads import (
    BOX_ONLY,
    REPO,
    env_read_by,
    tf_locals,
    workloads,
)

DOCKER = REPO / "docker"
TOOLS = REPO / ".venv-tools" / "bin"  # checkov and hadolint: `make setup` installs them there


def tool(name: str) -> str:
    path = TOOLS / name
    assert path.is_file(), f"{name} is not installed in {TOOLS}: run `make setup`"
    return str(path)


def cmd(dockerfile: str) -> list[str]:
    """The exec-form CMD of a Dockerfile."""
    lines = (DOCKER / dockerfile).read_text().splitlines()
    (line,) = [line for line in lines if line.startswith("CMD ")]
    command: list[str] = json.loads(line.removeprefix("CMD "))
    return command


def test_the_renderer_runs_the_same_command_in_both_images_and_targets_its_entry_point() -> None:
    command = cmd("cpu-renderer.Dockerfile")
    assert command == tf_locals()["renderer_command"]
    assert "--target=cloud_render" in command and "--source=functions/main.py" in command
    assert cmd("gpu-box.Dockerfile") == ["python", "-m", "gpu_subscriber"]


def test_the_dockerfiles_pass_hadolint() -> None:
    files = [str(p) for p in sorted(DOCKER.glob("*.Dockerfile"))]
    done = subprocess.run([tool("hadolint"), *files], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize("framework", ["terraform", "dockerfile"])
def test_checkov_finds_no_failed_check(framework: str) -> None:
    where = REPO / ("terraform" if framework == "terraform" else "docker")
    done = subprocess.run(
        [tool("checkov"), "-d", str(where), "--framework", framework, "--compact",
         "--quiet", "--output", "json"],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    report = json.loads(done.stdout)
    summary = report["summary"] if isinstance(report, dict) else report[0]["summary"]
    assert summary["failed"] == 0 and summary["passed"] > 0


def test_terraform_is_formatted() -> None:
    terraform = shutil.which("terraform")
    if terraform is None:
        pytest.skip("terraform is not installed (cloudbuild.yaml's plan step checks fmt too)")
    done = subprocess.run(
        [terraform, "fmt", "-check", "-recursive", str(REPO / "terraform")],
        capture_output=True, text=True,
    )  # fmt: skip
    assert done.returncode == 0, f"terraform fmt would change: {done.stdout}"


def test_the_gpu_box_env_file_sets_what_its_code_reads() -> None:
    lines = (DOCKER / "gpu-box.env.example").read_text().splitlines()
    keys = {line.split("=", 1)[0] for line in lines if re.match(r"[A-Z_]+=", line)}
    box = workloads()["gpu-worker"]
    assert keys >= box.env | box.secrets
    # The Google client libraries read GOOGLE_APPLICATION_CREDENTIALS (the credential file).
    read = env_read_by(box.module) | BOX_ONLY | {"GOOGLE_APPLICATION_CREDENTIALS"}
    assert keys <= read, sorted(keys - read)


@pytest.mark.emulator
@pytest.mark.ffmpeg
def test_the_renderer_images_command_answers_a_push_on_the_local_stack(stack) -> None:  # type: ignore[no-untyped-def]
    from shared.jobs import EnginePreference
    from shared.localstack.net import free_port
    from shared.pipeline.messages import JobCreated, TaskCommand, TaskKind
    from shared.pipeline.services import advance
    from tests.integration.pipeline_env import FAST_ENV, pipeline_ports, submit, tiny_timeline
    from tests.integration.test_cloud_render import push_body, reports

    port = free_port()
    command = [re.sub(r"^--port=\d+$", f"--port={port}", a) for a in cmd("cpu-renderer.Dockerfile")]
    # The venv's functions-framework, as the image's PATH has it.
    command[0] = str(Path(sys.executable).parent / command[0])
    with pipeline_ports(stack.settings) as ports:
        env = {**stack.child_env(), **FAST_ENV, "CS_TOPIC_PREFIX": ports.settings.topic_prefix,
               "PYTHONPATH": str(REPO)}  # fmt: skip
        job_id = submit(ports, tiny_timeline(["media:unused"]), engine=EnginePreference.CLOUD,
                        script=None).job_id  # fmt: skip
        advance(JobCreated(job_id=job_id), ports)  # music queued on tasks-cloud
        task = TaskCommand(job_id=job_id, task="music", task_kind=TaskKind.MUSIC, attempt=1,
                           route="cloud")  # fmt: skip
        proc = subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE)  # fmt: skip
        try:
            url = f"http://127.0.0.1:{port}/"
            deadline = time.monotonic() + 60
            while True:
                try:
                    answer = requests.post(url, json=push_body(task, "m1"), timeout=120)
                    break
                except requests.ConnectionError:
                    assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
                    assert time.monotonic() < deadline, "the renderer never listened"
                    time.sleep(0.2)
            assert answer.status_code == 204
            (finished,) = reports(ports)
            assert finished.job_id == job_id and finished.result["uri"].endswith(".wav")
        finally:
            proc.terminate()
            proc.wait(timeout=30)
            if proc.stderr is not None:
                proc.stderr.close()
