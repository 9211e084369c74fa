"""In headless Chromium: a security engineer builds a Fusion Set and copies its ID."""

import os
from pathlib import Path

import pytest

from console.tenancy import scope
from fusionsets.models import FusionSet
from tests.browser.conftest import browser_page, chromium  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def screenshots() -> Path:
    folder = Path(os.environ.get("FUSEBOX_TEST_OUTPUT", "test-output")) / "fusionsets"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def test_a_security_engineer_creates_a_fusion_set_sees_the_revision_and_copies_the_id(
    live_server,
    browser_page,  # noqa: F811
    transactional_db,
    cast,
    client,
    trust_a,
    screenshots,
):
    page = browser_page
    client.force_login(cast.a.user("security"))
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)

    page.goto(f"{live_server.url}/fusion-sets/")
    page.get_by_role("link", name="New Fusion Set").click()
    page.fill("#id_name", "Retail app")
    assert page.locator("#mobilebot-settings").is_hidden()

    page.focus("#id_mobilebot_enabled")
    page.keyboard.press("Space")
    assert page.locator("#mobilebot-settings").is_visible()
    assert page.is_checked("#id_mtls_enabled")
    page.locator("#id_mtls_enabled").uncheck()
    assert page.locator("#mtls-settings").is_hidden()
    page.locator("#id_mtls_enabled").check()

    page.select_option("#id_ca_certificate", value=str(trust_a.ca.pk))
    page.select_option("#id_client_identity", value=str(trust_a.identity.pk))
    chosen = page.inner_text("#id_client_identity option:checked")
    assert chosen.startswith(f"{trust_a.identity.name} · from {trust_a.ca.name} · until ")
    page.fill("#id_pinned_hosts", "api.example.com:8443")
    page.wait_for_selector("#pinned-hosts-feedback [role=alert]")
    assert "without scheme, port or path" in page.inner_text("#pinned-hosts-feedback")
    page.fill("#id_pinned_hosts", "api.example.com\n*.cdn.example.com")
    page.wait_for_selector("#pinned-hosts-feedback .fs-ok")
    page.check("input[name=signing_method][value=fusebox]")
    page.select_option("#id_keystore", value=str(trust_a.keystore.pk))
    page.screenshot(path=str(screenshots / "fusion-set-editor.png"), full_page=True)
    page.get_by_role("button", name="Create Fusion Set").click()
    page.wait_for_url("**/fusion-sets/*/")

    with scope(cast.a.organization):
        fusion_set = FusionSet.objects.get()
    assert "Fusion Set · revision 1" in page.inner_text(".page-head")
    assert page.locator(".badge-ok", has_text="Ready to build").is_visible()
    copy = page.get_by_role("button", name="Copy the Fusion Set ID")
    assert copy.get_attribute("data-copy-text") == str(fusion_set.pk)
    copy.click()
    page.wait_for_function(
        "document.querySelector('[data-copy=fusion-set-id]').textContent === 'Copied'"
    )
    assert page.evaluate("navigator.clipboard.readText()") == str(fusion_set.pk)
    page.screenshot(path=str(screenshots / "fusion-set-detail.png"), full_page=True)

    page.get_by_role("link", name="History").click()
    assert page.locator("#revision-1-title").inner_text().startswith("Revision 1")
    assert "a-security" in page.inner_text("#revision-1")
    page.screenshot(path=str(screenshots / "fusion-set-history.png"), full_page=True)

    page.get_by_role("link", name="Threat-Events code").click()
    page.get_by_role("button", name="Copy ThreatEventsListener.java").click()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert 'public static final String EVENT = "mTLSPreAuthentication";' in copied
    page.screenshot(path=str(screenshots / "fusion-set-code-samples.png"))
    assert page.errors == []
