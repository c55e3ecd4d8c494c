"""Browser tests: Debian's Chromium, driven by Playwright, against the real local pipeline.

On the session ``stack`` this starts what `createstudio dev` runs beside the emulators (gateway
with web/ at / and /api/*, orchestrator, CPU renderer, gpu_subscriber, sweeper) on topics of
its own, then one Chromium for the session and a fresh context per test. Playwright never
downloads a browser here: a missing Chromium or editor bundle fails the tests, it does not skip
them (the project's setup installs both).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from google.cloud import firestore
from playwright.sync_api import (
    Browser,
    ConsoleMessage,
    Page,
    Playwright,
    Request,
    expect,
    sync_playwright,
)

from shared.adapters.clients import GoogleClients
from shared.localstack import RunningStack
from shared.pipeline.ports import PipelineServices
from tests.browser.helpers import DESKTOP, REPO
from tests.integration.pipeline_env import pipeline_processes

CHROMIUM = Path("/usr/bin/chromium")
BUNDLE = REPO / "web" / "dist" / "app.js"
CHROMIUM_ARGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage",
]  # fmt: skip
ACTION_TIMEOUT_MS = 15_000  # a click, a fill, an expect: generous for 2 shared cores, not a render


@dataclass(frozen=True)
class Studio:
    """The running pipeline: the gateway's URL, ports on the same topics, an admin Firestore."""

    url: str
    ports: PipelineServices
    stack: RunningStack
    db: firestore.Client


@pytest.fixture(scope="session")
def studio(stack: RunningStack) -> Iterator[Studio]:
    with pipeline_processes(stack) as (gateway, ports):
        clients = GoogleClients(ports.settings)
        try:
            yield Studio(gateway.url, ports, stack, clients.firestore)
        finally:
            clients.close()


@pytest.fixture(scope="session")
def editor_url(studio: Studio) -> str:
    """The editor's URL, once its bundle is known to be built (fails, never skips, if not)."""
    if not BUNDLE.is_file():
        pytest.fail(
            f"the editor bundle {BUNDLE.relative_to(REPO)} is missing: build it with "
            "`npm ci && npm run build` in web/ (the project's setup does this)",
            pytrace=False,
        )
    return studio.url


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    """One headless Chromium for the session: Debian's, never one Playwright downloads."""
    if not CHROMIUM.is_file():
        pytest.fail(
            f"{CHROMIUM} is missing: install Debian's Chromium (`apt-get install chromium`, "
            "which the project's setup runs); Playwright must not download a browser",
            pytrace=False,
        )
    chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    try:
        yield chromium
    finally:
        chromium.close()


@dataclass(frozen=True)
class Sent:
    at: float  # wall-clock seconds, comparable with the server's timestamps
    method: str
    url: str


@dataclass
class PageLog:
    """What a page did: console errors, failed requests, uncaught errors, every request."""

    console_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    requests: list[Sent] = field(default_factory=list)

    def on_console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.console_errors.append(f"{message.text} ({message.location.get('url', '?')})")

    def on_request(self, request: Request) -> None:
        self.requests.append(Sent(time.time(), request.method, request.url))

    def on_failed(self, request: Request) -> None:
        self.failed_requests.append(f"{request.method} {request.url}: {request.failure}")

    def summary(self) -> str:
        parts = [
            ("uncaught page errors", self.page_errors),
            ("console errors", self.console_errors),
            ("failed requests", self.failed_requests),
        ]
        return "\n".join(f"{title}:\n  " + "\n  ".join(found) for title, found in parts if found)


@pytest.fixture
def page_log() -> PageLog:
    return PageLog()


@pytest.fixture
def page(browser: Browser, studio: Studio, page_log: PageLog) -> Iterator[Page]:
    """A new context per test at 1366x768 on the gateway's origin; fails on uncaught errors."""
    context = browser.new_context(
        base_url=studio.url,
        viewport=DESKTOP,
        accept_downloads=True,
        bypass_csp=True,  # so axe_check can inject axe-core whatever CSP the gateway sends
    )
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    new_page = context.new_page()
    new_page.on("console", page_log.on_console)
    new_page.on("pageerror", lambda error: page_log.page_errors.append(str(error)))
    new_page.on("requestfailed", page_log.on_failed)
    new_page.on("request", page_log.on_request)
    try:
        yield new_page
    finally:
        context.close()
        if page_log.summary():
            print(page_log.summary())  # shown with a failure's captured output
    if page_log.page_errors:
        pytest.fail(f"the page threw:\n{page_log.summary()}", pytrace=False)


@pytest.fixture
def editor(page: Page, editor_url: str) -> Page:
    """The test's page, once the editor's bundle is known to exist: what editor tests use."""
    return page


@pytest.fixture(autouse=True, scope="session")
def _expect_timeout() -> None:
    expect.set_options(timeout=ACTION_TIMEOUT_MS)
