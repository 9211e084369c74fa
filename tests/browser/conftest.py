"""Headless Chromium (Debian's /usr/bin/chromium driven by Playwright) against live_server."""

import os
from pathlib import Path

import pytest

CHROMIUM = Path(os.environ.get("FUSEBOX_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
]


@pytest.fixture(scope="session")
def screenshot_dir() -> Path:
    root = Path(os.environ.get("FUSEBOX_TEST_OUTPUT", "test-output"))
    folder = root / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="module")
def chromium():
    """One browser per module; Playwright's event loop lives only as long as the module.

    Playwright's sync API keeps an asyncio loop running in the test thread, which Django
    reads as "async context" and refuses database calls in; the test code is synchronous,
    so the check is relaxed while the browser is up and restored afterwards.
    """
    if not CHROMIUM.exists():
        pytest.skip(f"Chromium is not installed at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


class ConsoleErrors(list):
    """Console errors and uncaught exceptions a page produced."""


@pytest.fixture
def browser_page(chromium):
    """A fresh page that records console errors, uncaught exceptions and failed requests."""
    context = chromium.new_context(viewport={"width": 1366, "height": 860})
    page = context.new_page()
    errors = ConsoleErrors()
    page.on(
        "console",
        lambda m: errors.append(f"console {m.type}: {m.text}") if m.type == "error" else None,
    )
    page.on("pageerror", lambda e: errors.append(f"uncaught: {e}"))
    page.on("requestfailed", lambda r: _record_failure(errors, r))
    page.errors = errors
    yield page
    context.close()


def _record_failure(errors, request) -> None:
    """A request the browser itself aborted (leaving the page mid-poll) is not a fault."""
    if "ERR_ABORTED" in (request.failure or ""):
        return
    errors.append(f"request failed: {request.url} {request.failure}")
