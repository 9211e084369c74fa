"""Webhooks reach public addresses only: checked at registration and before each delivery."""

import ipaddress
import ssl

import pytest
from django.urls import reverse

from builds import webhook_targets, webhooks
from builds.models import Build, Webhook, WebhookDelivery
from console.tenancy import scope
from tests.builds.factories import BuildFactory
from tests.runtime import pki
from workers.engine.errors import RejectedInput

pytestmark = [pytest.mark.django_db]

INTERNAL = [
    "http://127.0.0.1/hook",
    "http://127.1:8080/hook",
    "http://2130706433/hook",  # 127.0.0.1 written as one number; the resolver reads it so
    "http://localhost:8000/hook",
    "http://10.1.2.3/hook",
    "http://172.16.0.9/hook",
    "http://192.168.1.1/hook",
    "http://169.254.169.254/latest/meta-data/",
    "http://100.64.0.1/hook",
    "http://0.0.0.0/hook",
    "http://224.0.0.1/hook",
    "http://[::1]/hook",
    "http://[::ffff:127.0.0.1]/hook",
    "http://[fd00::1]/hook",
    "http://[fe80::1]/hook",
]


@pytest.mark.parametrize("url", INTERNAL)
def test_a_url_that_leads_inside_the_network_is_refused(url):
    with pytest.raises(RejectedInput) as refused:
        webhook_targets.check_for_registration(url)

    assert refused.value.code == "webhook_url_not_public"
    assert "FUSEBOX_WEBHOOK_ALLOWED_NETWORKS" in refused.value.message


@pytest.mark.parametrize(
    "url",
    ["ftp://ci.example.com/hook", "http:///hook", "https://bot:hunter2@ci.example.com/hook",
     "https://ci.example.com:99999/hook", "https://" + "a" * 500 + ".com/"],
)  # fmt: skip
def test_a_url_that_is_not_a_plain_http_address_is_refused(url):
    with pytest.raises(RejectedInput) as refused:
        webhook_targets.check_for_registration(url)

    assert refused.value.code == "webhook_url_invalid"
    assert "hunter2" not in refused.value.message


def test_a_name_is_refused_for_the_address_it_resolves_to():
    with pytest.raises(RejectedInput) as refused:
        webhook_targets.check_for_registration("http://localhost:8000/hook")

    message = refused.value.message
    assert message.startswith("webhook URL: localhost resolves to ")
    assert ", which is not a public address" in message


def test_a_public_address_is_accepted_and_an_unresolvable_name_only_warned_about():
    assert webhook_targets.check_for_registration("https://93.184.215.14/hook") is None
    warning = webhook_targets.check_for_registration("https://ci.invalid/hook")
    assert "ci.invalid does not resolve" in warning


def test_the_operator_may_allow_an_internal_network(settings):
    settings.FUSEBOX_WEBHOOK_ALLOWED_NETWORKS = ["10.20.0.0/16"]

    assert webhook_targets.check_for_registration("http://10.20.3.4/hook") is None
    with pytest.raises(RejectedInput):
        webhook_targets.check_for_registration("http://10.21.3.4/hook")


def test_the_api_answers_422_and_keeps_nothing(api_for, cast):
    api = api_for(cast.a, "owner")

    response = api.post(
        "/api/v1/webhooks/", {"url": "http://169.254.169.254/latest/meta-data/"}, format="json"
    )
    unresolvable = api.post("/api/v1/webhooks/", {"url": "https://ci.invalid/h"}, format="json")

    assert response.status_code == 422
    assert response.json()["code"] == "webhook_url_not_public"
    assert unresolvable.status_code == 201
    assert "does not resolve" in unresolvable.json()["warning"]
    assert list(Webhook.unscoped.values_list("url", flat=True)) == ["https://ci.invalid/h"]


def test_the_console_says_why_and_keeps_nothing(client, cast):
    client.force_login(cast.a.user("owner"))

    page = client.post(reverse("webhook-list"), {"url": "http://10.0.0.7/"}, follow=True)

    assert b"Not added: webhook URL: 10.0.0.7 is not a public address" in page.content
    assert not Webhook.unscoped.exists()


def _delivery_to(organization, url) -> str:
    with scope(organization):
        webhooks.create_webhook(url)
    build = BuildFactory(organization=organization, status=Build.SUCCEEDED)
    webhooks.queue_deliveries(organization.pk, build.pk)
    return str(WebhookDelivery.unscoped.get().pk)


def test_a_delivery_checks_the_address_again_before_connecting(
    cast, receiver, no_redelivery, settings
):
    hook = receiver()
    settings.FUSEBOX_WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    delivery_id = _delivery_to(cast.a.organization, hook.url)

    settings.FUSEBOX_WEBHOOK_ALLOWED_NETWORKS = []
    result = webhooks.deliver(cast.a.organization.pk, delivery_id)

    delivery = WebhookDelivery.unscoped.get()
    assert result == "pending" and hook.received == []
    assert delivery.last_error.startswith("refused: webhook URL: 127.0.0.1 is not a public")


def test_a_redirect_is_not_followed(cast, receiver, no_redelivery, settings):
    settings.FUSEBOX_WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    hook = receiver(statuses=[302])
    delivery_id = _delivery_to(cast.a.organization, hook.url)

    assert webhooks.deliver(cast.a.organization.pk, delivery_id) == "pending"

    delivery = WebhookDelivery.unscoped.get()
    assert len(hook.received) == 1
    assert delivery.response_status == 302
    assert "redirects are not followed" in delivery.last_error


def _tls_receiver(receiver, tmp_path, monkeypatch, settings, certificate_name: str):
    """An HTTPS receiver at hooks.fusebox.test (resolved to loopback by a stand-in resolver)
    whose certificate, from a CA the worker is told to trust, names ``certificate_name``."""
    ca = pki.make_ca(tmp_path, "ca", "Receiver CA")
    server = pki.issue(tmp_path, "server", ca, certificate_name, server=True)
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls.load_cert_chain(server.cert_path, server.key_path)
    monkeypatch.setenv("SSL_CERT_FILE", str(ca.cert_path))
    monkeypatch.setattr(
        webhook_targets, "resolve", lambda target: [ipaddress.ip_address("127.0.0.1")]
    )
    settings.FUSEBOX_WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    return receiver(tls=tls, host="hooks.fusebox.test")


def test_https_goes_to_the_checked_address_and_verifies_the_host_name(
    cast, receiver, no_redelivery, settings, tmp_path, monkeypatch
):
    """The connection goes to the checked address; TLS is verified against the name."""
    hook = _tls_receiver(receiver, tmp_path, monkeypatch, settings, "hooks.fusebox.test")
    delivery_id = _delivery_to(cast.a.organization, hook.url)

    assert webhooks.deliver(cast.a.organization.pk, delivery_id) == "delivered"

    headers, _body = hook.received[0]
    assert headers["Host"] == f"hooks.fusebox.test:{hook.server.server_port}"


def test_https_to_a_host_whose_certificate_names_another_host_fails(
    cast, receiver, no_redelivery, settings, tmp_path, monkeypatch
):
    hook = _tls_receiver(receiver, tmp_path, monkeypatch, settings, "other.fusebox.test")
    delivery_id = _delivery_to(cast.a.organization, hook.url)

    assert webhooks.deliver(cast.a.organization.pk, delivery_id) == "pending"

    delivery = WebhookDelivery.unscoped.get()
    assert hook.received == []
    assert "certificate verify failed" in delivery.last_error
