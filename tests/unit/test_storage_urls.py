"""Signed URLs for the browser: same-origin only on the local stack, real GCS ones elsewhere."""

from shared.adapters.storage_urls import browser_url
from shared.settings import Settings

SIGNED = "http://127.0.0.1:9023/p-media/uploads/u/m.jpg?X-Goog-Signature=abc"


def settings(local_mode: bool, host: str | None = "http://127.0.0.1:9023") -> Settings:
    return Settings(
        project_id="p", media_bucket="p-media", renders_bucket="p-renders",
        storage_emulator_host=host, local_mode=local_mode,
    )  # fmt: skip


def test_local_mode_moves_emulator_urls_onto_the_callers_origin() -> None:
    got = browser_url(SIGNED, settings(True), "http://127.0.0.1:8080/")
    assert got == "http://127.0.0.1:8080/storage/p-media/uploads/u/m.jpg?X-Goog-Signature=abc"
    # An emulator host given without its scheme is the same origin.
    assert browser_url(SIGNED, settings(True, "127.0.0.1:9023"), "http://h:1") == (
        "http://h:1/storage/p-media/uploads/u/m.jpg?X-Goog-Signature=abc"
    )


def test_other_urls_are_left_alone() -> None:
    real = "https://storage.googleapis.com/p-media/uploads/u/m.jpg?X-Goog-Signature=abc"
    assert browser_url(real, settings(True), "http://127.0.0.1:8080") == real
    assert browser_url(SIGNED, settings(False), "http://127.0.0.1:8080") == SIGNED
    assert browser_url(SIGNED, settings(True, None), "http://127.0.0.1:8080") == SIGNED
    # A look-alike host (same prefix, other port) is not the emulator.
    other = SIGNED.replace(":9023/", ":90231/")
    assert browser_url(other, settings(True), "http://127.0.0.1:8080") == other
