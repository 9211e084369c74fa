"""Owners invite people by email, change roles and remove members; every change is audited."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from console.models import AuditEvent, Invitation, Membership
from console.tenancy import scope

pytestmark = pytest.mark.django_db


def _invite(client, email="new.person@example.test", role="security"):
    return client.post(reverse("member-invite"), {"email": email, "role": role}, follow=True)


def _link_in(message) -> str:
    return re.search(r"(/invitations/accept/[^/\s]+/)", message.body).group(1)


def test_an_owner_invites_by_email_and_sees_the_link(client, cast):
    client.force_login(cast.a.user("owner"))

    response = _invite(client)

    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["new.person@example.test"]
    link = _link_in(mail.outbox[0])
    assert link in response.content.decode()
    event = AuditEvent.unscoped.get(organization=cast.a.organization, action="member.invited")
    assert event.changes == {"email": "new.person@example.test", "role": "security"}
    assert link.split("/")[-2] not in str(event.changes), "the invitation key is a secret"


def test_accepting_an_invitation_creates_the_account_and_the_membership(client, cast):
    client.force_login(cast.a.user("owner"))
    _invite(client)
    link = _link_in(mail.outbox[0])
    client.logout()

    response = client.post(
        link, {"username": "newperson", "password": "a-long-enough-passphrase-9"}, follow=True
    )

    assert response.status_code == 200
    with scope(cast.a.organization):
        membership = Membership.objects.get(user__username="newperson")
    assert membership.role == "security"
    assert client.get(reverse("dashboard")).status_code == 200
    assert client.post(link).status_code == 302, "a used invitation cannot be used again"


def test_a_signed_in_person_accepts_into_their_existing_account(client, cast):
    client.force_login(cast.a.user("owner"))
    _invite(client, email="b-devops@example.test", role="auditor")
    link = _link_in(mail.outbox[0])
    client.force_login(cast.b.user("devops"))

    client.post(link)

    with scope(cast.a.organization):
        assert Membership.objects.get(user=cast.b.user("devops")).role == "auditor"


def test_an_unknown_invitation_link_answers_404(client, db):
    response = client.get(reverse("invitation-accept", args=["not-a-key"]))

    assert response.status_code == 404
    assert "Invitation not found" in response.content.decode()


def test_inviting_an_invalid_address_shows_the_error_next_to_the_field(client, cast):
    client.force_login(cast.a.user("owner"))

    response = client.post(reverse("member-invite"), {"email": "not-an-email", "role": "owner"})

    assert response.status_code == 400
    assert 'id="id_email_error"' in response.content.decode()
    assert not mail.outbox


def test_an_owner_changes_a_role_and_the_change_is_audited(client, cast):
    client.force_login(cast.a.user("owner"))
    with scope(cast.a.organization):
        devops = Membership.objects.get(user=cast.a.user("devops"))

    client.post(reverse("member-role", args=[devops.pk]), {"role": "auditor"})

    devops.refresh_from_db()
    assert devops.role == "auditor"
    event = AuditEvent.unscoped.get(action="member.role_changed")
    assert event.changes == {"user": "a-devops", "from": "devops", "to": "auditor"}
    assert event.actor_user == cast.a.user("owner")


def test_the_last_owner_cannot_leave_or_be_demoted(client, cast):
    client.force_login(cast.a.user("owner"))
    with scope(cast.a.organization):
        owner = Membership.objects.get(user=cast.a.user("owner"))

    demote = client.post(reverse("member-role", args=[owner.pk]), {"role": "auditor"}, follow=True)
    client.post(reverse("member-remove", args=[owner.pk]))

    owner.refresh_from_db()
    assert owner.role == "owner"
    assert "at least one owner" in demote.content.decode()


def test_an_owner_removes_a_member(client, cast):
    client.force_login(cast.a.user("owner"))
    with scope(cast.a.organization):
        auditor = Membership.objects.get(user=cast.a.user("auditor"))

    client.post(reverse("member-remove", args=[auditor.pk]))

    assert not Membership.unscoped.filter(pk=auditor.pk).exists()
    assert AuditEvent.unscoped.filter(action="member.removed").exists()


def test_a_revoked_invitation_cannot_be_accepted(client, cast):
    client.force_login(cast.a.user("owner"))
    _invite(client)
    link = _link_in(mail.outbox[0])
    invitation = Invitation.unscoped.get()

    client.post(reverse("invitation-revoke", args=[invitation.pk]))
    client.logout()
    page = client.get(link)

    assert "Invitation revoked" in page.content.decode()
