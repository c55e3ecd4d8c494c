"""Firestore as a signed-in user sees it: the emulator's REST API with the login's ID token.

The editor follows a job by reading ``jobs/{id}`` with the token that POST /api/auth/login
returns (``firestore.token``), under firestore.rules. The demo and the end-to-end tests read the
same way, so the rules are part of the path, not bypassed by an admin client.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import requests

_SESSION = requests.Session()
_SESSION.trust_env = False  # loopback: never through a proxy from the environment


class DocumentUnreadable(RuntimeError):
    def __init__(self, path: str, status: int, message: str) -> None:
        super().__init__(f"Firestore {path}: HTTP {status}: {message}")
        self.status = status


@dataclass(frozen=True)
class UserFirestore:
    emulator_host: str  # host:port
    project: str
    token: str

    @classmethod
    def from_login(cls, answer: Mapping[str, Any]) -> UserFirestore:
        """From the body of POST /api/auth/login (local mode: an emulator token)."""
        access = answer.get("firestore") or {}
        missing = [k for k in ("emulator_host", "project", "token") if not access.get(k)]
        if missing:
            raise ValueError(
                f"the login answer has no Firestore emulator access ({', '.join(missing)} "
                "missing): is the gateway running in local mode (CS_LOCAL=1)?"
            )
        return cls(access["emulator_host"], access["project"], access["token"])

    @classmethod
    def as_owner(cls, emulator_host: str, project: str) -> UserFirestore:
        """The emulator's admin (rules bypassed): for the local stack's own readiness checks."""
        return cls(emulator_host, project, "owner")

    def url(self, path: str) -> str:
        return (
            f"http://{self.emulator_host}/v1/projects/{self.project}"
            f"/databases/(default)/documents/{path}"
        )

    def fetch(self, path: str, timeout_s: float = 10.0) -> requests.Response:
        """GET the document ``path`` (e.g. ``jobs/abc``) as this user; the raw answer."""
        headers = {"Authorization": f"Bearer {self.token}"}
        return _SESSION.get(self.url(path), headers=headers, timeout=timeout_s)

    def document(self, path: str) -> dict[str, Any]:
        """The document's fields as plain Python values; DocumentUnreadable if refused/absent."""
        answer = self.fetch(path)
        if answer.status_code != 200:
            raise DocumentUnreadable(path, answer.status_code, answer.text[:300])
        return decode_fields(answer.json().get("fields", {}))


def decode_fields(fields: Mapping[str, Any]) -> dict[str, Any]:
    return {name: decode_value(value) for name, value in fields.items()}


def decode_value(value: Mapping[str, Any]) -> Any:
    """One REST ``Value`` as Python: numbers as numbers, timestamps as their RFC 3339 text."""
    (kind, raw), *_ = value.items()
    if kind == "nullValue":
        return None
    if kind == "integerValue":
        return int(raw)  # 64-bit integers travel as strings
    if kind == "doubleValue":
        return float(raw)
    if kind == "arrayValue":
        return [decode_value(v) for v in raw.get("values", [])]
    if kind == "mapValue":
        return decode_fields(raw.get("fields", {}))
    return raw  # string, boolean, timestamp, bytes (base64), reference, geo point
