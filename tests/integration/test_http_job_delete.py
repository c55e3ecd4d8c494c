"""DELETE /api/jobs/{id}: an ended job goes with its render objects and task graph."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from functions.http_deps import deps, pipeline
from shared.errors import NotFound
from shared.jobs import Complete, JobOutput, Start
from shared.localstack import RunningStack
from shared.localstack.gateway import Wsgi, build_app
from tests.integration.http_helpers import Browser, ad_timeline, fetch, ready_photo, signed_in

pytestmark = pytest.mark.emulator


@pytest.fixture(scope="module")
def app(stack: RunningStack) -> Iterator[Wsgi]:
    yield build_app()


def submit(browser: Browser) -> str:
    photo = ready_photo(browser)
    body = {"brand_name": "Bakery Ltd", "timeline": ad_timeline(f"media:{photo}")}
    answer = browser.post("/api/jobs", body)
    assert answer.status_code == 202, answer.get_json()
    return str(answer.get_json()["job"]["job_id"])


def result_objects(job_id: str) -> list[str]:
    bucket = deps().clients.storage.bucket(deps().settings.renders_bucket)
    return sorted(
        blob.name
        for prefix in (f"renders/{job_id}/", f"previews/{job_id}/", f"work/{job_id}/")
        for blob in bucket.list_blobs(prefix=prefix)
    )


def finish(job_id: str) -> bytes:
    """Play the worker: result objects in the renders bucket, then the job done."""
    renders = pipeline().renders
    video = b"\x00\x00\x00\x18ftypmp42 not really a video"
    video_uri = renders.upload_bytes(f"renders/{job_id}/render-1.mp4", video, "video/mp4")
    poster_uri = renders.upload_bytes(f"renders/{job_id}/render-1.jpg", b"jpeg", "image/jpeg")
    renders.upload_bytes(f"work/{job_id}/music-1000.wav", b"RIFF", "audio/wav")
    renders.upload_bytes(f"previews/{job_id}/render-1.mp4", video, "video/mp4")  # an earlier one
    jobs = pipeline().jobs
    jobs.apply(job_id, Start(worker_id="test-worker"))
    output = JobOutput(video_uri=video_uri, poster_uri=poster_uri, size_bytes=len(video),
                       duration_ms=1000)  # fmt: skip
    jobs.apply(job_id, Complete(output=output))
    return video


def test_an_ended_job_is_deleted_with_its_objects(app: Wsgi) -> None:
    browser = signed_in(app)
    job_id = submit(browser)
    video = finish(job_id)
    links = browser.get(f"/api/jobs/{job_id}").get_json()["job"]["download"]
    bucket = pipeline().settings.renders_bucket
    assert links["video_url"].startswith(f"http://localhost/storage/{bucket}/renders/{job_id}/")
    assert fetch("GET", links["video_url"]) == (200, video)  # same-origin download
    assert len(result_objects(job_id)) == 4

    deleted = browser.delete(f"/api/jobs/{job_id}")
    assert deleted.status_code == 200 and deleted.get_json() == {"deleted": job_id}
    assert result_objects(job_id) == []
    with pytest.raises(NotFound):
        pipeline().pipelines.get(job_id)
    assert browser.get(f"/api/jobs/{job_id}").status_code == 404
    assert browser.get("/api/jobs").get_json()["jobs"] == []
    assert browser.delete(f"/api/jobs/{job_id}").status_code == 404


def test_a_running_job_must_be_cancelled_first(app: Wsgi) -> None:
    browser = signed_in(app)
    job_id = submit(browser)
    refused = browser.delete(f"/api/jobs/{job_id}")
    assert refused.status_code == 409
    assert refused.get_json()["message"] == "cancel the job before deleting it"
    assert browser.post(f"/api/jobs/{job_id}/cancel").status_code == 200
    assert browser.delete(f"/api/jobs/{job_id}").status_code == 200
    with pytest.raises(NotFound):
        pipeline().jobs.get(job_id)


def test_another_users_job_is_404(app: Wsgi) -> None:
    owner, other = signed_in(app), signed_in(app)
    job_id = submit(owner)
    assert owner.post(f"/api/jobs/{job_id}/cancel").status_code == 200
    assert other.delete(f"/api/jobs/{job_id}").status_code == 404
    assert owner.get(f"/api/jobs/{job_id}").get_json()["job"]["status"] == "cancelled"
