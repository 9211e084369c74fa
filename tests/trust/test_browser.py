"""In headless Chromium: a security engineer uploads a CA and an identity, then reads them."""

import os

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
]


@pytest.fixture
def browser_page(monkeypatch):
    if not os.path.exists(CHROMIUM):
        pytest.skip("Debian's chromium is not installed")
    sync_api = pytest.importorskip("playwright.sync_api")
    # Playwright's sync API runs an event loop in this thread; the ORM calls are still sync.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context()
        page = context.new_page()
        page.console_errors = []
        page.on(
            "console",
            lambda message: message.type == "error" and page.console_errors.append(message.text),
        )
        yield context, page
        browser.close()


def test_a_security_engineer_uploads_a_ca_and_an_identity_and_sees_the_detail_page(
    live_server, browser_page, transactional_db, cast, client, uploads
):
    context, page = browser_page
    client.force_login(cast.a.user("security"))
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )

    page.goto(f"{live_server.url}/trust/")
    page.get_by_role("link", name="Add CA certificate").click()
    page.fill("#id_name", "Device CA")
    assert page.locator(".dropzone").count() == 2
    page.set_input_files(
        "#id_file",
        files=[{"name": "ca.pem", "mimeType": "application/x-pem-file", "buffer": uploads.ca_pem}],
    )
    page.get_by_role("button", name="Upload").click()
    page.wait_for_url("**/trust/cas/*/")
    assert "CN=Fixture Issuing CA" in page.content()

    page.goto(f"{live_server.url}/trust/identities/new/")
    page.fill("#id_name", "Retail app")
    page.set_input_files(
        "#id_file",
        files=[{"name": "id.p12", "mimeType": "application/x-pkcs12", "buffer": uploads.identity}],
    )
    page.fill("#id_password", "not the password")
    page.get_by_role("button", name="Upload").click()
    assert page.locator("#id_password_error").inner_text().endswith("[p12_bad_password]")

    page.set_input_files(
        "#id_file",
        files=[{"name": "id.p12", "mimeType": "application/x-pkcs12", "buffer": uploads.identity}],
    )
    page.fill("#id_password", uploads.identity_password)
    page.get_by_role("button", name="Upload").click()
    page.wait_for_url("**/trust/identities/*/")

    facts = page.locator("dl.facts").inner_text()
    assert "CN=device-1" in facts
    assert "days left" in facts
    assert "Device CA" in page.content()
    assert uploads.identity_password not in page.content()
    assert page.console_errors == []
