"""A person signs in, switches organization and opens every top-level page in Chromium."""

import pytest

from console.tenancy import no_scope
from tests.console.factories import MembershipFactory

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PASSWORD = "browser-test-passphrase-31"


@pytest.fixture
def member_of_both(transactional_db, settings, monkeypatch, tmp_path):
    """A's owner, also an auditor in B, with a real password (and a vault key for secrets)."""
    from tests.console.cast import build_cast
    from tests.vault.keys import use_test_master_key

    use_test_master_key(monkeypatch, tmp_path)

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with no_scope():
        cast = build_cast()
        owner = cast.a.user("owner")
        owner.set_password(PASSWORD)
        owner.save()
        MembershipFactory(organization=cast.b.organization, user=owner, role="auditor")
    return cast


@pytest.fixture(autouse=True)
def _no_broker(monkeypatch):
    from workers.tasks import ping

    monkeypatch.setattr(ping, "delay", lambda ping_id: None)


def _top_level_links(page) -> list[tuple[str, str]]:
    links = page.eval_on_selector_all(
        "nav.sidebar .nav-list a", "els => els.map(a => [a.textContent.trim(), a.href])"
    )
    return [(label, href) for label, href in links]


def test_a_member_signs_in_switches_organization_and_opens_every_page(
    browser_page, live_server, member_of_both, screenshot_dir
):
    page = browser_page
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username").fill("a-owner")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/")
    page.wait_for_selector("text=Worker", timeout=5000)
    page.screenshot(path=screenshot_dir / "dashboard-org-a.png", full_page=True)

    assert page.locator("h1").first.inner_text() == "Org A"
    owner_pages = _top_level_links(page)
    assert {"Dashboard", "Members", "API tokens", "Audit trail"} <= {
        name for name, _ in owner_pages
    }
    for label, href in owner_pages:
        response = page.goto(href)
        assert response.status < 400, f"{label}: {response.status}"
        page.screenshot(path=screenshot_dir / f"a-{label.lower().replace(' ', '-')}.png")

    page.goto(f"{live_server.url}/tokens/")
    page.get_by_label("Name").fill("release pipeline")
    page.get_by_role("button", name="Create token").click()
    key = page.locator("#new-token-key").inner_text()
    assert key.startswith("fbx_")
    page.screenshot(path=screenshot_dir / "a-token-created.png", full_page=True)
    page.reload()
    assert page.locator("#new-token-key").count() == 0, "the key is shown only once"

    page.goto(f"{live_server.url}/audit/")
    page.get_by_label("Action").fill("token.created")
    with page.expect_response(lambda r: "/audit/?" in r.url):
        page.get_by_role("button", name="Filter").click()
    assert "release pipeline" in page.locator("#audit-rows").inner_text()
    assert page.locator("h1").count() == 1, "htmx swapped only the rows"
    page.screenshot(path=screenshot_dir / "a-audit-filtered.png", full_page=True)

    page.goto(f"{live_server.url}/webhooks/")
    page.get_by_label("URL").fill("http://169.254.169.254/latest/meta-data/")
    page.get_by_role("button", name="Add webhook").click()
    refusal = page.locator(".message.error").inner_text()
    assert "169.254.169.254 is not a public address" in refusal
    assert page.locator(".message").count() == 1, "each message is shown once"
    page.screenshot(path=screenshot_dir / "a-webhook-refused.png", full_page=True)
    page.get_by_label("URL").fill("https://93.184.215.14/fusebox")
    page.get_by_role("button", name="Add webhook").click()
    assert "shown this once" in page.locator(".message.success").inner_text()
    assert "https://93.184.215.14/fusebox" in page.locator("table").inner_text()
    page.screenshot(path=screenshot_dir / "a-webhook-added.png", full_page=True)

    page.goto(f"{live_server.url}/")
    page.select_option("#organization-switch", label="Org B")
    page.wait_for_selector("h1:has-text('Org B')")
    page.screenshot(path=screenshot_dir / "dashboard-org-b.png", full_page=True)

    auditor_pages = {label for label, _ in _top_level_links(page)}
    assert "API tokens" not in auditor_pages, "an auditor in B does not manage tokens"
    assert "Audit trail" in auditor_pages
    for label, href in _top_level_links(page):
        response = page.goto(href)
        assert response.status < 400, f"{label} in B: {response.status}"

    assert page.errors == []
