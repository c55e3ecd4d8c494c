"""A small client of the HTTP API (docs/api.md), as the editor uses it: cookie session, JSON.

Used by `createstudio demo` and the end-to-end tests against the local gateway; every call goes
over real HTTP, uploads included (POST /api/media/uploads, PUT to the signed URL with exactly
its headers, POST register).
"""

from __future__ import annotations

import mimetypes
from pathlib import Path
from typing import Any

import requests

from shared.localstack.user_firestore import UserFirestore

# Photo and audio types the media library accepts (docs/api.md), by file suffix.
CONTENT_TYPES = {
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".webp": "image/webp",
    ".heic": "image/heic",
    ".heif": "image/heif",
    ".wav": "audio/wav",
    ".mp3": "audio/mpeg",
    ".m4a": "audio/mp4",
    ".flac": "audio/flac",
    ".ogg": "audio/ogg",
}


class ApiError(RuntimeError):
    """An answer other than the one expected, with the API's own error message."""

    def __init__(self, what: str, answer: requests.Response) -> None:
        try:
            detail = answer.json().get("message", answer.text)
        except ValueError:
            detail = answer.text[:300]
        super().__init__(f"{what}: HTTP {answer.status_code}: {detail}")
        self.status = answer.status_code


class ApiClient:
    def __init__(self, base_url: str, timeout_s: float = 60.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout_s = timeout_s
        self.http = requests.Session()
        self.http.trust_env = False  # loopback: never through a proxy from the environment
        self.firestore: UserFirestore | None = None

    def call(self, method: str, path: str, expect: int = 200, **kwargs: Any) -> Any:
        """``method path`` (JSON body via ``json=``); the decoded answer, ApiError otherwise."""
        if method != "GET":
            kwargs.setdefault("json", {})  # state changes must be application/json
        answer = self.http.request(
            method, f"{self.base_url}{path}", timeout=self.timeout_s, **kwargs
        )
        if answer.status_code != expect:
            raise ApiError(f"{method} {path}", answer)
        return answer.json()

    def login(self, name: str, password: str) -> str:
        """Sign in (the session cookie is kept); the uid. Also keeps the Firestore access."""
        body = self.call("POST", "/api/auth/login", json={"name": name, "password": password})
        self.firestore = UserFirestore.from_login(body)
        return str(body["uid"])

    def upload(self, path: Path) -> dict[str, Any]:
        """Upload one photo or audio file into the library; the ready media item."""
        content_type = CONTENT_TYPES.get(path.suffix.lower()) or mimetypes.guess_type(path)[0]
        if content_type is None:
            raise ValueError(f"{path}: unknown file type (not one of {sorted(CONTENT_TYPES)})")
        data = path.read_bytes()
        asked = self.call(
            "POST",
            "/api/media/uploads",
            expect=201,
            json={"filename": path.name, "content_type": content_type, "size_bytes": len(data)},
        )
        upload = asked["upload"]
        put = self.http.request(
            upload["method"], upload["url"], data=data, headers=upload["headers"],
            timeout=self.timeout_s,
        )  # fmt: skip
        if put.status_code != 200:
            raise ApiError(f"PUT {path.name} to its signed upload URL", put)
        media: dict[str, Any] = self.call("POST", f"/api/media/{asked['media_id']}/register")[
            "media"
        ]
        return media

    def submit(self, brand_name: str, timeline: dict[str, Any], **brief: Any) -> dict[str, Any]:
        """POST /api/jobs; the job (pending)."""
        body = {"brand_name": brand_name, "timeline": timeline, **brief}
        job: dict[str, Any] = self.call("POST", "/api/jobs", expect=202, json=body)["job"]
        return job

    def job(self, job_id: str) -> dict[str, Any]:
        """GET /api/jobs/{id}: the job, with its ``download`` links once done."""
        job: dict[str, Any] = self.call("GET", f"/api/jobs/{job_id}")["job"]
        return job

    def download(self, url: str, dest: Path) -> Path:
        """Save a signed GET URL's object to ``dest``."""
        with self.http.get(url, stream=True, timeout=self.timeout_s) as answer:
            if answer.status_code != 200:
                raise ApiError(f"GET the signed URL for {dest.name}", answer)
            dest.parent.mkdir(parents=True, exist_ok=True)
            with open(dest, "wb") as out:
                for chunk in answer.iter_content(1 << 20):
                    out.write(chunk)
        return dest
