"""The DEV-API docs page renders in Chromium from Fusebox's own files, with no other host."""

from urllib.parse import urlsplit

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_the_api_docs_render_the_schema_without_any_other_host(
    browser_page, live_server, db, screenshot_dir
):
    page = browser_page
    hosts = set()
    page.on("request", lambda request: hosts.add(urlsplit(request.url).netloc))

    page.goto(f"{live_server.url}/api/docs/")
    page.locator("h1.title", has_text="Fusebox DEV-API").wait_for(timeout=15000)
    page.locator("text=Upload an app").first.wait_for()
    page.screenshot(path=screenshot_dir / "api-docs.png")

    tags = page.eval_on_selector_all(".opblock-tag", "els => els.map(e => e.dataset.tag)")
    assert {"apps", "tasks", "webhooks", "fusion-sets", "trust"} <= set(tags), tags
    assert hosts == {urlsplit(live_server.url).netloc}, hosts
    assert not page.errors, page.errors
