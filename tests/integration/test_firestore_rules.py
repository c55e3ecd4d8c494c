"""firestore.rules, enforced by the Firestore emulator for end-user tokens (no Node needed).

The stack starts the emulator with the repository's firestore.rules. Data is seeded with the
server client (which bypasses rules); browsers are played by REST calls carrying an unsigned
Firebase ID token (``alg: none``), which the emulator accepts as that user (notes §7.4).
"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
import requests
from google.cloud import firestore

from shared.adapters.clients import GoogleClients
from shared.adapters.firestore_jobs import FirestoreJobStore
from shared.jobs import new_job
from shared.settings import Settings

pytestmark = pytest.mark.emulator

COLLECTIONS = ("jobs", "media")


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def user_token(project_id: str, uid: str) -> str:
    now = int(time.time())
    header = {"alg": "none", "kid": "fakekid", "typ": "JWT"}
    claims = {
        "iss": f"https://securetoken.google.com/{project_id}",
        "aud": project_id,
        "sub": uid,
        "user_id": uid,
        "iat": now,
        "exp": now + 3600,
        "auth_time": now,
        "firebase": {"sign_in_provider": "custom", "identities": {}},
    }
    return f"{_b64(header)}.{_b64(claims)}."


@dataclass(frozen=True)
class Browser:
    """REST calls to the emulator as one signed-in user (or nobody, with uid None)."""

    base: str
    project_id: str
    uid: str | None

    def _headers(self) -> dict[str, str]:
        if self.uid is None:
            return {}
        return {"Authorization": f"Bearer {user_token(self.project_id, self.uid)}"}

    def request(self, method: str, path: str, body: Any = None) -> requests.Response:
        """``path`` is relative to .../documents: "jobs/ID", or ":runQuery"."""
        url = f"{self.base}{path}" if path.startswith(":") else f"{self.base}/{path}"
        return requests.request(method, url, json=body, headers=self._headers(), timeout=30)

    def query(self, collection: str, uid_equals: str | None) -> requests.Response:
        structured: dict[str, Any] = {"from": [{"collectionId": collection}]}
        if uid_equals is not None:
            structured["where"] = {
                "fieldFilter": {
                    "field": {"fieldPath": "uid"},
                    "op": "EQUAL",
                    "value": {"stringValue": uid_equals},
                }
            }
        return self.request("POST", ":runQuery", {"structuredQuery": structured})


@dataclass(frozen=True)
class Seeded:
    alice: Browser
    bob: Browser
    anonymous: Browser
    docs: dict[str, str]  # collection -> alice's document id


@pytest.fixture(scope="module")
def db(settings: Settings) -> Iterator[firestore.Client]:
    clients = GoogleClients(settings)
    yield clients.firestore
    clients.close()


@pytest.fixture
def seeded(settings: Settings, db: firestore.Client, unique: Callable[[str], str]) -> Seeded:
    alice, bob = unique("alice"), unique("bob")
    job = FirestoreJobStore(db).create(new_job(unique("job"), alice, datetime.now(UTC)))
    media_id = unique("media")
    db.collection("media").document(media_id).set({"uid": alice, "kind": "photo"})
    db.collection("users").document(alice).set({"password_hash": "$argon2id$..."})
    base = (
        f"http://{settings.firestore_emulator_host}/v1/projects/{settings.project_id}"
        "/databases/(default)/documents"
    )
    return Seeded(
        alice=Browser(base, settings.project_id, alice),
        bob=Browser(base, settings.project_id, bob),
        anonymous=Browser(base, settings.project_id, None),
        docs={"jobs": job.job_id, "media": media_id},
    )


def document_uids(response: requests.Response) -> list[str]:
    return [
        row["document"]["fields"]["uid"]["stringValue"]
        for row in response.json()
        if "document" in row
    ]


@pytest.mark.parametrize("collection", COLLECTIONS)
def test_only_the_owner_reads_a_document(seeded: Seeded, collection: str) -> None:
    path = f"{collection}/{seeded.docs[collection]}"
    own = seeded.alice.request("GET", path)
    assert own.status_code == 200, own.text
    assert own.json()["fields"]["uid"]["stringValue"] == seeded.alice.uid
    assert seeded.bob.request("GET", path).status_code == 403
    assert seeded.anonymous.request("GET", path).status_code == 403


@pytest.mark.parametrize("collection", COLLECTIONS)
def test_clients_cannot_write(seeded: Seeded, collection: str) -> None:
    alice = seeded.alice
    path = f"{collection}/{seeded.docs[collection]}"
    fields = {"uid": {"stringValue": alice.uid}, "status": {"stringValue": "done"}}
    assert alice.request("PATCH", path, {"fields": fields}).status_code == 403
    assert alice.request("DELETE", path).status_code == 403
    created = alice.request("POST", f"{collection}?documentId=mine-{alice.uid}", {"fields": fields})
    assert created.status_code == 403
    assert alice.request("GET", path).json()["fields"]["uid"]["stringValue"] == alice.uid


@pytest.mark.parametrize("collection", COLLECTIONS)
def test_lists_must_be_filtered_by_the_callers_uid(seeded: Seeded, collection: str) -> None:
    alice = seeded.alice
    assert alice.query(collection, uid_equals=None).status_code == 403  # rules are not filters
    assert alice.query(collection, uid_equals=seeded.bob.uid).status_code == 403
    assert seeded.anonymous.query(collection, uid_equals=alice.uid).status_code == 403
    mine = alice.query(collection, uid_equals=alice.uid)
    assert mine.status_code == 200, mine.text
    assert document_uids(mine) == [alice.uid]


def test_drafts_are_closed_even_to_their_owner(
    db: firestore.Client, seeded: Seeded, unique: Callable[[str], str]
) -> None:
    alice = seeded.alice
    project_id = unique("project")
    db.collection("projects").document(project_id).set({"uid": alice.uid, "draft_json": "{}"})
    path = f"projects/{project_id}"
    assert alice.request("GET", path).status_code == 403
    assert alice.query("projects", uid_equals=alice.uid).status_code == 403
    fields = {"uid": {"stringValue": alice.uid}, "draft_json": {"stringValue": "{}"}}
    assert alice.request("PATCH", path, {"fields": fields}).status_code == 403
    assert alice.request("DELETE", path).status_code == 403
    created = alice.request("POST", f"projects?documentId=mine-{alice.uid}", {"fields": fields})
    assert created.status_code == 403
    assert db.collection("projects").document(project_id).get().exists


def test_other_collections_are_closed(seeded: Seeded) -> None:
    alice = seeded.alice
    assert alice.request("GET", f"users/{alice.uid}").status_code == 403  # hashes stay server-side
    assert alice.request("PATCH", f"users/{alice.uid}", {"fields": {}}).status_code == 403
