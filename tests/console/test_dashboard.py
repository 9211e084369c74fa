"""The dashboard: empty states per role, recent activity and the worker status round trip."""

import pytest
from django.urls import reverse

from console.audit import record_event
from workers.tasks import ping

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("role", "advice"),
    [
        ("owner", "Bring your team in."),
        ("security", "Nothing to protect yet."),
        ("devops", "No builds yet."),
        ("auditor", "Nothing to review yet."),
    ],
)
def test_without_app_cards_the_dashboard_tells_each_role_what_to_do_first(
    client, cast, role, advice, monkeypatch
):
    from console import navigation

    monkeypatch.setattr(navigation, "_dashboard_cards", {})
    client.force_login(cast.a.user(role))

    body = client.get(reverse("dashboard")).content.decode()

    assert advice in body


def test_owners_see_recent_activity_of_their_organization_only(client, cast):
    record_event(cast.a.organization, "token.created", target="pipeline-of-a")
    record_event(cast.b.organization, "token.created", target="pipeline-of-b")
    client.force_login(cast.a.user("owner"))

    body = client.get(reverse("dashboard")).content.decode()

    assert "pipeline-of-a" in body
    assert "pipeline-of-b" not in body


def test_the_worker_shows_online_once_it_answered_a_ping(client, cast, sent_pings):
    client.force_login(cast.a.user("devops"))

    waiting = client.get(reverse("worker-status")).content.decode()
    ping.run(sent_pings[0])
    online = client.get(reverse("worker-status")).content.decode()

    assert "Waiting for the worker" in waiting
    assert "Worker online" in online
    assert len(sent_pings) == 1, "a fresh ping is not sent again within the interval"


def test_the_navigation_shows_only_what_the_role_may_open(client, cast):
    client.force_login(cast.a.user("devops"))

    body = client.get(reverse("dashboard")).content.decode()

    assert 'href="/tokens/"' not in body
    assert 'href="/audit/"' not in body
    client.force_login(cast.a.user("owner"))
    owner_body = client.get(reverse("dashboard")).content.decode()
    assert 'href="/tokens/"' in owner_body
