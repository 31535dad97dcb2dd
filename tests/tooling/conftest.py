"""What the browser tests share: the Chromium they drive, one browser per run, a request recorder.

A browser test module starts with ``sync_api = require_browser()``: it skips the whole module, with
the reason, where Chromium or Playwright is missing (`.ci/run` installs Chromium). Set
DLCOURSE_CHROMIUM to use another Chromium binary.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from dlcourse.tooling import pipeline
from dlcourse.tooling.handouts import CHROMIUM_ARGS as HANDOUT_CHROMIUM_ARGS
from dlcourse.tooling.handouts import CHROMIUM_ENV, DEFAULT_CHROMIUM

CHROMIUM = Path(os.environ.get(CHROMIUM_ENV) or DEFAULT_CHROMIUM)
CHROMIUM_ARGS = list(HANDOUT_CHROMIUM_ARGS)  # the flags `make handouts` starts Chromium with
WAIT_MS = 30_000  # any single wait in a page
ROOT = pipeline.repository_root()
SCREENSHOTS = ROOT / "build" / "screenshots"


def require_browser():
    """``playwright.sync_api``, or skip the calling test module (call it at module level)."""
    if not CHROMIUM.is_file():
        pytest.skip(
            f"browser tests need Chromium at {CHROMIUM} (Debian: apt-get install chromium; "
            "or set DLCOURSE_CHROMIUM); .ci/run installs it",
            allow_module_level=True,
        )
    return pytest.importorskip(
        "playwright.sync_api", reason="browser tests need playwright: pip install -e '.[test]'"
    )


@pytest.fixture(scope="session")
def playwright():
    sync_api = require_browser()
    with sync_api.sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright):
    """Headless Chromium, shared by the browser test modules of one pytest run (or worker)."""
    browser = playwright.chromium.launch(
        executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, timeout=WAIT_MS
    )
    yield browser
    browser.close()


class Recorder:
    """Requests that failed or were blocked, console errors and page errors of a context."""

    def __init__(self, context, allowed):
        self.failed, self.blocked, self.errors = [], [], []
        self.allowed = allowed
        context.route("**/*", self._route)
        context.on(
            "requestfailed",
            lambda request: self.failed.append(f"{request.url[:160]} ({request.failure})"),
        )
        context.on("page", self.watch)

    def _route(self, route):
        url = route.request.url
        if self.allowed(url):
            route.continue_()
        else:
            self.blocked.append(url)
            route.abort("blockedbyclient")

    def watch(self, page):
        page.on(
            "console",
            lambda message: message.type == "error" and self.errors.append(message.text[:300]),
        )
        page.on("pageerror", lambda error: self.errors.append(f"page error: {error}"[:300]))
