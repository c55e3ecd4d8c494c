"""``createstudio users add``: the user it creates can sign in over HTTP; bad input is refused."""

from __future__ import annotations

import io
import uuid
from collections.abc import Iterator

import pytest

from shared.cli.main import main
from shared.localstack import RunningStack
from shared.localstack.gateway import Wsgi, build_app
from tests.integration.http_helpers import Browser

pytestmark = pytest.mark.emulator

PASSWORD = "a long passphrase for the cli"


@pytest.fixture(scope="module")
def app(stack: RunningStack) -> Iterator[Wsgi]:
    yield build_app()


def add(monkeypatch: pytest.MonkeyPatch, name: str, stdin: str) -> int:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    return main(["users", "add", name, "--password-stdin"])


def test_added_user_signs_in(
    app: Wsgi, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    name = f"Cli-{uuid.uuid4().hex[:8]}"
    assert add(monkeypatch, name, PASSWORD + "\n") == 0
    assert f"user {name.lower()} created" in capsys.readouterr().out
    Browser(app).login(name.lower(), PASSWORD)
    assert add(monkeypatch, name, PASSWORD + "\n") == 1  # taken
    assert "already exists" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("name", "password", "words"),
    [
        ("ok-name", "short\n", "at least 15"),
        ("bad name!", PASSWORD + "\n", "user name"),
        ("", PASSWORD + "\n", "user name"),
    ],
)
def test_refused(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    name: str,
    password: str,
    words: str,
) -> None:
    assert add(monkeypatch, name + uuid.uuid4().hex[:4] if name else name, password) == 2
    err = capsys.readouterr().err
    assert words in err and password.strip() not in err
