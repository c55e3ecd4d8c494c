"""Drafts over HTTP: create, list, read, save with a revision check, delete, ownership."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from functions.http_deps import drafts
from functions.projects import MAX_DRAFT_BODY_BYTES
from shared.errors import Conflict
from shared.localstack import RunningStack
from shared.localstack.gateway import Wsgi, build_app
from tests.integration.http_helpers import Browser, ad_timeline, ready_photo, signed_in

pytestmark = pytest.mark.emulator


@pytest.fixture(scope="module")
def app(stack: RunningStack) -> Iterator[Wsgi]:
    yield build_app()


def create(browser: Browser, name: str = "Summer sale") -> dict[str, Any]:
    answer = browser.post("/api/projects", {"name": name})
    assert answer.status_code == 201, answer.get_json()
    project: dict[str, Any] = answer.get_json()["project"]
    return project


def draft(timeline: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
    return {
        "name": "Summer sale", "brand_name": "Bakery Ltd", "timeline": timeline,
        "script": "Fresh bread,\nevery morning.", "voice_id": "offline:narrator",
        "music": {"prompt": "warm acoustic", "volume": 0.8, "duck": True}, **extra,
    }  # fmt: skip


def test_create_list_get_save_delete(app: Wsgi) -> None:
    browser = signed_in(app)
    photo = ready_photo(browser)
    first = create(browser, "First")
    assert first["revision"] == 1 and first["name"] == "First"
    assert first["draft"] == {
        "name": "First", "brand_name": "", "timeline": None, "script": "", "voice_id": None,
        "music": {"prompt": "", "volume": 1.0, "duck": True, "snap_cuts": False},
    }  # fmt: skip
    second = create(browser, "Second")

    timeline = ad_timeline(f"media:{photo}", f"media:{photo}")
    put = browser.put(
        f"/api/projects/{first['project_id']}", {"revision": 1, "draft": draft(timeline)}
    )
    assert put.status_code == 200, put.get_json()
    saved = put.get_json()["project"]
    assert saved["revision"] == 2 and saved["name"] == "Summer sale"
    assert saved["draft"]["timeline"] == timeline  # exactly as sent
    assert saved["updated_at"] > first["updated_at"] and saved["created_at"] == first["created_at"]

    got = browser.get(f"/api/projects/{first['project_id']}").get_json()["project"]
    assert got == saved
    listed = browser.get("/api/projects").get_json()["projects"]
    assert [p["project_id"] for p in listed] == [first["project_id"], second["project_id"]]
    assert listed[0] == {
        "project_id": first["project_id"], "name": "Summer sale", "updated_at":
        saved["updated_at"], "revision": 2, "clip_count": 2, "duration_ms": 2000,
    }  # fmt: skip
    assert listed[1]["clip_count"] == 0 and listed[1]["duration_ms"] == 0

    deleted = browser.delete(f"/api/projects/{first['project_id']}")
    assert deleted.get_json() == {"deleted": first["project_id"]}
    assert browser.get(f"/api/projects/{first['project_id']}").status_code == 404
    assert [p["project_id"] for p in browser.get("/api/projects").get_json()["projects"]] == [
        second["project_id"]
    ]


def test_a_stale_revision_is_a_conflict(app: Wsgi) -> None:
    browser = signed_in(app)
    project_id = create(browser)["project_id"]
    path = f"/api/projects/{project_id}"
    assert browser.put(path, {"revision": 1, "draft": draft(name="Tab A")}).status_code == 200
    stale = browser.put(path, {"revision": 1, "draft": draft(name="Tab B")})
    assert stale.status_code == 409
    assert stale.get_json() == {
        "error": "conflict",
        "message": "this draft was changed elsewhere (revision 2); reload it",
    }
    kept = browser.get(path).get_json()["project"]
    assert kept["revision"] == 2 and kept["draft"]["name"] == "Tab A"
    assert browser.put(path, {"revision": 2, "draft": draft(name="Tab B")}).status_code == 200


def test_another_users_draft_is_404(app: Wsgi) -> None:
    owner, other = signed_in(app), signed_in(app)
    project_id = create(owner)["project_id"]
    path = f"/api/projects/{project_id}"
    assert other.get(path).status_code == 404
    assert other.put(path, {"revision": 1, "draft": draft()}).status_code == 404
    assert other.delete(path).status_code == 404
    assert other.get("/api/projects").get_json()["projects"] == []
    assert owner.get(path).get_json()["project"]["revision"] == 1
    assert owner.get("/api/projects/no-such-draft").status_code == 404


def test_bad_drafts_are_400_naming_the_field(app: Wsgi) -> None:
    browser = signed_in(app)
    photo = ready_photo(browser)
    project_id = create(browser)["project_id"]
    path = f"/api/projects/{project_id}"
    bad_timeline = ad_timeline(f"media:{photo}")
    bad_timeline["video"][0]["duration_ms"] = -5
    cases = [
        (draft(bad_timeline), "video[0].duration_ms"),
        (draft(music={"prompt": "", "volume": 9, "duck": True}), "music.volume"),
        (draft(music={"prompt": "", "volume": "1", "duck": True}), "music.volume"),
        (draft(voice_id="bad voice!"), "voice_id"),
        (draft(brand_name="Bakery\x00"), "brand_name"),
        (draft(name="x" * 201), "name"),
        (draft(colour="red"), "colour"),
        (draft(ad_timeline("photos/local.jpg")), "video[0].source"),
    ]
    for body, field in cases:
        answer = browser.put(path, {"revision": 1, "draft": body})
        assert answer.status_code == 400, (field, answer.get_json())
        assert field in answer.get_json()["message"], answer.get_json()
    assert browser.put(path, {"revision": "1", "draft": draft()}).status_code == 400
    assert browser.post("/api/projects", {"name": ""}).status_code == 400
    assert browser.get(path).get_json()["project"]["revision"] == 1  # nothing was written


def test_a_draft_cannot_name_another_users_media(app: Wsgi) -> None:
    owner, other = signed_in(app), signed_in(app)
    theirs = ready_photo(owner)
    project_id = create(other)["project_id"]
    answer = other.put(
        f"/api/projects/{project_id}",
        {"revision": 1, "draft": draft(ad_timeline(f"media:{theirs}"))},
    )
    assert answer.status_code == 400
    assert answer.get_json()["message"] == f"video[0].source: media:{theirs} is not in your library"


def test_size_and_count_limits(app: Wsgi) -> None:
    browser = signed_in(app)
    project_id = create(browser)["project_id"]
    huge = draft({"name": "x" * 1_100_000})  # within the body limit, over a Firestore document
    answer = browser.put(f"/api/projects/{project_id}", {"revision": 1, "draft": huge})
    assert answer.status_code == 413 and "at most 1000000" in answer.get_json()["message"]
    body = {"revision": 1, "draft": draft({"name": "x" * (MAX_DRAFT_BODY_BYTES + 1)})}
    assert browser.put(f"/api/projects/{project_id}", body).status_code == 413

    few = dataclasses.replace(drafts(), max_projects=2)
    uid = browser.get("/api/auth/me").get_json()["uid"]
    few.create(uid, "Second", datetime.now(UTC))
    with pytest.raises(Conflict, match="you have 2 drafts"):
        few.create(uid, "Third", datetime.now(UTC))
