"""In headless Chromium: a DevOps engineer drops an APK, watches the upload bar, starts a
build, watches it finish and downloads the protected app."""

import base64
import os
import subprocess
import threading
from pathlib import Path

import pytest

from tests.browser.conftest import browser_page, chromium  # noqa: F401
from tests.support.android import requires_android_tools

pytestmark = [pytest.mark.browser, pytest.mark.slow, requires_android_tools]

DROP = """([name, data]) => {
  const bytes = Uint8Array.from(atob(data), c => c.charCodeAt(0));
  const transfer = new DataTransfer();
  transfer.items.add(new File([bytes], name, {type: "application/vnd.android.package-archive"}));
  const area = document.getElementById("upload-area");
  area.dispatchEvent(new DragEvent("dragenter", {dataTransfer: transfer, bubbles: true}));
  area.dispatchEvent(new DragEvent("drop", {dataTransfer: transfer, bubbles: true}));
}"""


@pytest.fixture
def worker_threads(monkeypatch):
    """Run each sent step in a thread of this process, as a worker would, a moment later."""
    from workers.pipeline import run_step

    def send(organization_id, build_id, step, dispatch):
        def later():
            threading.Event().wait(0.3)
            try:
                run_step(organization_id, build_id, step, dispatch)
            finally:
                from django.db import connection

                connection.close()

        threading.Thread(target=later, daemon=True).start()

    monkeypatch.setattr("builds.services.send_step", send)
    monkeypatch.setattr("builds.webhooks.deliver.delay", lambda *args: None)


def test_a_devops_engineer_drops_an_apk_builds_it_and_downloads_the_result(
    live_server,
    browser_page,  # noqa: F811
    transactional_db,
    cast,
    client,
    fusion_set_a,
    fixture_app,
    worker_threads,
    tmp_path,
):
    page = browser_page
    client.force_login(cast.a.user("devops"))
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    folder = Path(os.environ.get("FUSEBOX_TEST_OUTPUT", "test-output")) / "builds"
    folder.mkdir(parents=True, exist_ok=True)

    page.goto(f"{live_server.url}/apps/")
    page.evaluate(
        """() => new MutationObserver(() => sessionStorage.setItem('progress',
             (sessionStorage.getItem('progress') || '') + ' ' +
             document.getElementById('upload-percent').textContent)).observe(
             document.getElementById('upload-percent'), {childList: true})"""
    )
    data = base64.b64encode(Path(fixture_app).read_bytes()).decode()
    with page.expect_navigation(url="**/apps/*/"):
        page.evaluate(DROP, ["fixture.apk", data])
    assert "com.example.fixture" in page.inner_text("h1")
    assert "100%" in page.evaluate("() => sessionStorage.getItem('progress')")

    page.select_option("#build-fusion-set", value=str(fusion_set_a.pk))
    page.screenshot(path=str(folder / "app-detail.png"), full_page=True)
    page.get_by_role("button", name="Start build").click()
    page.wait_for_url("**/builds/*/")
    page.wait_for_selector("#build-progress[data-status=succeeded]", timeout=60_000)
    assert page.locator("#build-bar").get_attribute("value") == "100"
    assert "Signed with" in page.inner_text("#build-log")
    page.screenshot(path=str(folder / "build-succeeded.png"), full_page=True)

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download the app").click()
    saved = tmp_path / "downloaded.apk"
    download_info.value.save_as(saved)
    verified = subprocess.run(["apksigner", "verify", str(saved)], capture_output=True)
    assert verified.returncode == 0, verified.stderr

    page.goto(f"{live_server.url}/builds/")
    page.get_by_role("link", name=cast.a.user("devops").username).first.click()
    page.wait_for_url("**/builds/?who=*")
    assert page.locator("#filter-who").input_value() == cast.a.user("devops").username
    page.select_option("#filter-app", label="com.example.fixture 1.0")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url("**/builds/?*app=*")
    assert page.locator("tbody tr").count() == 1
    page.screenshot(path=str(folder / "build-list-filtered.png"), full_page=True)
    # Chromium reports the navigation that turned into a download as aborted; nothing else.
    assert [e for e in page.errors if "/download/ net::ERR_ABORTED" not in e] == []
