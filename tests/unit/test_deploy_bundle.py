"""The functions' deploy bundle pins every runtime dependency the project declares."""

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~\[; ]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def test_requirements_pin_every_runtime_dependency() -> None:
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    lines = (ROOT / "functions" / "requirements.txt").read_text().splitlines()
    pinned = {_name(line): line for line in lines if line and not line.startswith("#")}
    missing = sorted(_name(dep) for dep in declared if _name(dep) not in pinned)
    assert not missing, f"functions/requirements.txt lacks {missing}"
    assert all("==" in line for line in pinned.values()), "every bundle requirement is pinned"
