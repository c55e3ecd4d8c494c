"""What one user may have in flight: a clear 429 once the jobs or the programme minutes in flight
reach the caps (CS_USER_MAX_JOBS, CS_USER_MAX_MINUTES; issue 13, item 1)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from functions.http_deps import pipeline
from shared.localstack import RunningStack
from shared.localstack.gateway import Wsgi, build_app
from shared.timeline.model import MAX_DURATION_MS
from tests.integration.http_helpers import ad_timeline, ready_photo, signed_in

pytestmark = pytest.mark.emulator


@pytest.fixture(scope="module")
def app(stack: RunningStack) -> Iterator[Wsgi]:
    yield build_app()


def body(photo: str, **extra: Any) -> dict[str, Any]:
    return {"brand_name": "Bakery Ltd", "timeline": ad_timeline(f"media:{photo}"), **extra}


def test_a_job_over_the_jobs_in_flight_cap_is_a_429_in_words(app: Wsgi) -> None:
    browser = signed_in(app)
    photo = ready_photo(browser)
    cap = pipeline().settings.user_max_jobs
    made = [browser.post("/api/jobs", body(photo, idempotency_key=f"order-{n:04}"))
            for n in range(cap)]  # fmt: skip
    assert [a.status_code for a in made] == [202] * cap

    refused = browser.post("/api/jobs", body(photo))
    assert refused.status_code == 429, refused.get_json()
    assert refused.headers["Retry-After"] == "60"
    answer = refused.get_json()
    assert answer["error"] == "too_many_requests"
    assert f"you already have {cap} jobs in flight" in answer["message"]
    assert "cancel one" in answer["message"]
    assert len(browser.get("/api/jobs").get_json()["jobs"]) == cap  # nothing half-made

    retried = browser.post("/api/jobs", body(photo, idempotency_key="order-0000"))
    assert retried.status_code == 202  # the same job again, not one more
    assert retried.get_json()["job"]["job_id"] == made[0].get_json()["job"]["job_id"]

    first = made[0].get_json()["job"]["job_id"]
    assert browser.post(f"/api/jobs/{first}/cancel").status_code == 200
    assert browser.post("/api/jobs", body(photo)).status_code == 202  # room again


def test_a_job_over_the_minutes_in_flight_cap_is_a_429_in_words(app: Wsgi) -> None:
    browser = signed_in(app)
    photo = ready_photo(browser)
    three_hours = ad_timeline(*[f"media:{photo}"] * (MAX_DURATION_MS // 600_000), kind="long_form")
    for clip in three_hours["video"]:
        clip["duration_ms"] = 600_000
    long_job = {"brand_name": "Bakery Ltd", "timeline": three_hours}
    assert browser.post("/api/jobs", long_job).status_code == 202
    refused = browser.post("/api/jobs", long_job)
    assert refused.status_code == 429, refused.get_json()
    message = refused.get_json()["message"]
    cap = pipeline().settings.user_max_minutes
    assert "this job's 180 minutes and the 180 minutes already in flight" in message
    assert f"more than {cap} minutes of video" in message
    assert browser.post("/api/jobs", body(photo)).status_code == 202  # a short one still fits
