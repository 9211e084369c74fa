"""Signing in and out, lockout after failures, password change, switching organizations."""

import pytest
from django.urls import reverse

from console.middleware import SESSION_ORGANIZATION_KEY
from console.models import AuditEvent
from tests.console.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery-staple-42"


def test_it_signs_a_member_in_and_opens_their_organization(client, cast):
    owner = cast.a.user("owner")
    owner.set_password(PASSWORD)
    owner.save()

    response = client.post(reverse("login"), {"username": "a-owner", "password": PASSWORD})

    assert response.status_code == 302
    dashboard = client.get(reverse("dashboard"))
    assert dashboard.status_code == 200
    assert "Org A" in dashboard.content.decode()


def test_it_sends_anonymous_visitors_to_the_sign_in_page(client, db):
    response = client.get(reverse("members"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_it_locks_an_account_out_after_repeated_failures(client, cast, settings):
    owner = cast.a.user("owner")
    owner.set_password(PASSWORD)
    owner.save()

    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "a-owner", "password": "wrong"})
    response = client.post(reverse("login"), {"username": "a-owner", "password": PASSWORD})

    assert response.status_code == 429
    assert client.get(reverse("dashboard")).status_code != 200


def test_it_signs_out_with_a_post(client, cast):
    client.force_login(cast.a.user("owner"))

    response = client.post(reverse("logout"))

    assert response.status_code == 302
    assert client.get(reverse("dashboard")).status_code == 302


def test_it_changes_the_password_and_records_it(client, cast):
    owner = cast.a.user("owner")
    owner.set_password(PASSWORD)
    owner.save()
    client.force_login(owner)
    new_password = "another-long-passphrase-77"

    response = client.post(
        reverse("password-change"),
        {"old_password": PASSWORD, "new_password1": new_password, "new_password2": new_password},
    )

    assert response.status_code == 302
    owner.refresh_from_db()
    assert owner.check_password(new_password)
    assert AuditEvent.unscoped.filter(
        organization=cast.a.organization, action="account.password_changed"
    ).exists()


def test_it_shows_password_errors_next_to_the_field(client, cast):
    client.force_login(cast.a.user("owner"))

    response = client.post(
        reverse("password-change"),
        {"old_password": "nope", "new_password1": "x", "new_password2": "y"},
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_old_password_error"' in body


def test_a_member_of_two_organizations_switches_between_them(client, cast):
    person = cast.a.user("devops")
    MembershipFactory(organization=cast.b.organization, user=person, role="auditor")
    client.force_login(person)

    client.post(reverse("organization-switch"), {"organization": cast.b.organization.pk})

    assert client.session[SESSION_ORGANIZATION_KEY] == cast.b.organization.pk
    page = client.get(reverse("audit"))
    assert page.status_code == 200, "auditor in B may read B's audit trail"


def test_switching_to_an_organization_one_is_not_in_answers_404(client, cast):
    client.force_login(cast.a.user("owner"))

    response = client.post(
        reverse("organization-switch"), {"organization": cast.b.organization.pk}
    )

    assert response.status_code == 404
    assert client.session[SESSION_ORGANIZATION_KEY] == cast.a.organization.pk


def test_a_person_without_an_organization_is_told_how_to_get_one(client, db):
    client.force_login(UserFactory())

    response = client.get(reverse("dashboard"), follow=True)

    assert response.redirect_chain[-1][0] == reverse("no-organization")
    assert "not a member of any organization" in response.content.decode()


def test_error_pages_match_the_product(client, cast):
    client.force_login(cast.a.user("auditor"))

    forbidden = client.get(reverse("tokens"))
    missing = client.get("/no-such-page/")

    assert forbidden.status_code == 403
    assert "Not allowed" in forbidden.content.decode()
    assert missing.status_code == 404
    assert "belongs to another organization" in missing.content.decode()


def test_an_owner_renames_the_organization_and_it_is_audited(client, cast):
    client.force_login(cast.a.user("owner"))

    client.post(reverse("organization-settings"), {"name": "Acme Mobile"})

    cast.a.organization.refresh_from_db()
    assert cast.a.organization.name == "Acme Mobile"
    event = AuditEvent.unscoped.get(action="organization.renamed")
    assert event.changes == {"from": "Org A", "to": "Acme Mobile"}


def test_a_locked_out_person_sees_the_products_lockout_page(client, cast, settings):
    for _attempt in range(settings.AXES_FAILURE_LIMIT + 1):
        response = client.post(reverse("login"), {"username": "a-owner", "password": "wrong"})

    assert response.status_code == 429
    assert "Too many failed sign-ins" in response.content.decode()
