"""The audit trail page: owners and auditors filter by action, actor and date."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from console.audit import record_event

pytestmark = pytest.mark.django_db


@pytest.fixture
def events(cast):
    owner = cast.a.user("owner")
    record_event(cast.a.organization, "member.invited", actor=owner, target="invited-row")
    record_event(cast.a.organization, "token.created", actor=owner, target="token-row")
    record_event(cast.a.organization, "build.started", target="system-row")


def _rows(client, **filters):
    return client.get(reverse("audit"), filters).content.decode()


def test_it_filters_by_action(client, cast, events):
    client.force_login(cast.a.user("auditor"))

    body = _rows(client, action="token.")

    assert "token-row" in body
    assert "invited-row" not in body


def test_it_filters_by_actor(client, cast, events):
    client.force_login(cast.a.user("owner"))

    body = _rows(client, actor="system")

    assert "system-row" in body
    assert "token-row" not in body


def test_it_filters_by_date(client, cast, events):
    client.force_login(cast.a.user("owner"))
    tomorrow = (timezone.now() + timedelta(days=1)).date().isoformat()
    today = timezone.now().date().isoformat()

    assert "No matching events" in _rows(client, since=tomorrow)
    assert "token-row" in _rows(client, since=today, until=today)


def test_a_reversed_date_range_is_explained(client, cast, events):
    client.force_login(cast.a.user("owner"))

    body = _rows(client, since="2026-02-02", until="2026-01-01")

    assert "must be on or before" in body


def test_htmx_requests_get_only_the_rows(client, cast, events):
    client.force_login(cast.a.user("owner"))

    body = client.get(reverse("audit"), {"action": "member"}, HTTP_HX_REQUEST="true")

    assert "<html" not in body.content.decode()
    assert "invited-row" in body.content.decode()


@pytest.mark.parametrize("role", ["security", "devops"])
def test_security_and_devops_cannot_read_the_audit_trail(client, cast, role):
    client.force_login(cast.a.user(role))

    assert client.get(reverse("audit")).status_code == 403
