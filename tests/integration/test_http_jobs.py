"""Jobs over HTTP: create, list, get, controls, feedback, and ownership (404 for other users)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from functions.http_deps import pipeline
from shared.jobs import Start
from shared.localstack import RunningStack
from shared.localstack.gateway import Wsgi, build_app
from tests.integration.http_helpers import Browser, ad_timeline, ready_photo, signed_in

pytestmark = pytest.mark.emulator


@pytest.fixture(scope="module")
def app(stack: RunningStack) -> Iterator[Wsgi]:
    yield build_app()


def submit(browser: Browser, photo: str, **extra: object) -> dict[str, object]:
    body = {"brand_name": "Bakery Ltd", "timeline": ad_timeline(f"media:{photo}"), **extra}
    answer = browser.post("/api/jobs", body)
    assert answer.status_code == 202, answer.get_json()
    job: dict[str, object] = answer.get_json()["job"]
    return job


def test_create_get_list(app: Wsgi) -> None:
    browser = signed_in(app)
    photo = ready_photo(browser)
    first = submit(browser, photo, engine="local")
    assert first["status"] == "pending" and first["engine"] == "local"
    assert first["brand_name"] == "Bakery Ltd" and "timeline" not in first
    second = submit(browser, photo)

    got = browser.get(f"/api/jobs/{first['job_id']}").get_json()["job"]
    assert got["uid"] == first["uid"]
    assert got["timeline"]["video"][0]["source"] == f"media:{photo}"

    page = browser.get("/api/jobs?limit=1").get_json()
    assert [j["job_id"] for j in page["jobs"]] == [second["job_id"]]  # newest first
    rest = browser.get(f"/api/jobs?limit=1&cursor={page['next_cursor']}").get_json()
    assert [j["job_id"] for j in rest["jobs"]] == [first["job_id"]]
    assert rest["next_cursor"] is None


def test_cuts_on_the_beat_of_the_made_music(app: Wsgi) -> None:
    browser = signed_in(app)
    photo = ready_photo(browser)
    clips = [
        {"kind": "photo", "source": f"media:{photo}", "duration_ms": ms} for ms in (2300, 1900)
    ]
    timeline = {"name": "On the beat", "video": clips}
    music = {"prompt": "upbeat, 120 bpm", "snap_cuts": True}  # a beat every 500 ms
    body = {"brand_name": "Bakery Ltd", "timeline": timeline, "music": music}
    job = browser.post("/api/jobs", body).get_json()["job"]
    stored = browser.get(f"/api/jobs/{job['job_id']}").get_json()["job"]["timeline"]
    assert [c["duration_ms"] for c in stored["video"]] == [2500, 1500]  # cuts at 2.5 s and 4 s
    unsnapped = browser.post("/api/jobs", {**body, "music": {"prompt": "upbeat, 120 bpm"}})
    stored = browser.get(f"/api/jobs/{unsnapped.get_json()['job']['job_id']}").get_json()
    assert [c["duration_ms"] for c in stored["job"]["timeline"]["video"]] == [2300, 1900]
    # An uploaded track needs its tempo: a 400 that says so.
    refused = browser.post("/api/jobs", {**body, "timeline": {
        **timeline, "music": {"source": f"media:{photo}", "snap_cuts": True}}})  # fmt: skip
    assert refused.status_code == 400 and "set bpm" in refused.get_json()["message"]


def test_idempotency_key_makes_one_job(app: Wsgi) -> None:
    browser = signed_in(app)
    photo = ready_photo(browser)
    first = submit(browser, photo, idempotency_key="order-12345")
    again = submit(browser, photo, idempotency_key="order-12345")
    assert first["job_id"] == again["job_id"]
    assert len(browser.get("/api/jobs").get_json()["jobs"]) == 1


def test_controls(app: Wsgi) -> None:
    browser = signed_in(app)
    photo = ready_photo(browser)
    job_id = submit(browser, photo)["job_id"]
    paused = browser.post(f"/api/jobs/{job_id}/pause")
    assert paused.status_code == 409  # pending: nothing to pause yet
    assert "cannot pause" in paused.get_json()["message"]

    pipeline().jobs.apply(str(job_id), Start(worker_id="test-worker"))  # a worker took it
    assert browser.post(f"/api/jobs/{job_id}/pause").get_json()["job"]["status"] == "paused"
    resumed = browser.post(f"/api/jobs/{job_id}/resume").get_json()["job"]
    assert resumed["status"] == "processing"
    assert browser.post(f"/api/jobs/{job_id}/cancel").get_json()["job"]["status"] == "cancelled"
    assert browser.post(f"/api/jobs/{job_id}/cancel").status_code == 200  # a repeat is harmless
    assert browser.post(f"/api/jobs/{job_id}/resume").status_code == 409


def test_rating_and_comment(app: Wsgi) -> None:
    browser = signed_in(app)
    job_id = submit(browser, ready_photo(browser))["job_id"]
    rated = browser.post(f"/api/jobs/{job_id}/rating", {"rating": 4})
    assert rated.get_json()["job"]["rating"] == 4
    commented = browser.post(f"/api/jobs/{job_id}/comment", {"comment": "More <b>blue</b>"})
    assert commented.get_json()["job"]["comment"] == "More <b>blue</b>"
    for bad in ({"rating": 0}, {"rating": 6}, {"rating": "5"}, {"rating": 4.5}, {}):
        assert browser.post(f"/api/jobs/{job_id}/rating", bad).status_code == 400
    assert browser.get(f"/api/jobs/{job_id}").get_json()["job"]["rating"] == 4


def test_another_users_job_is_404(app: Wsgi) -> None:
    owner, other = signed_in(app), signed_in(app)
    job_id = submit(owner, ready_photo(owner))["job_id"]
    assert other.get(f"/api/jobs/{job_id}").status_code == 404
    for action in ("cancel", "pause", "resume"):
        assert other.post(f"/api/jobs/{job_id}/{action}").status_code == 404
    assert other.post(f"/api/jobs/{job_id}/rating", {"rating": 1}).status_code == 404
    assert other.post(f"/api/jobs/{job_id}/comment", {"comment": "x"}).status_code == 404
    assert other.get("/api/jobs").get_json()["jobs"] == []
    job = owner.get(f"/api/jobs/{job_id}").get_json()["job"]
    assert job["status"] == "pending" and job["rating"] is None and job["comment"] is None


def test_sources_must_be_my_ready_library_items(app: Wsgi) -> None:
    owner, other = signed_in(app), signed_in(app)
    theirs = ready_photo(other)
    pending = owner.post(
        "/api/media/uploads",
        {"filename": "p.jpg", "content_type": "image/jpeg", "size_bytes": 100},
    ).get_json()["media_id"]
    cases = {
        f"media:{theirs}": "not in your library",
        "media:doesnotexist": "not in your library",
        f"media:{pending}": "not been registered",
        "photos/shop.jpg": "not allowed over HTTP",
        "gs://another-bucket/secret.jpg": "not allowed over HTTP",
    }
    for source, words in cases.items():
        body = {"brand_name": "B", "timeline": ad_timeline(source)}
        answer = owner.post("/api/jobs", body)
        assert answer.status_code == 400, source
        assert words in answer.get_json()["message"]
        assert "video[0].source" in answer.get_json()["message"]
    assert owner.get("/api/jobs").get_json()["jobs"] == []
