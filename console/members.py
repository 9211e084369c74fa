"""Membership changes shared by the console and the DEV-API, each recorded in the audit trail."""

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from console import roles
from console.audit import record_event
from console.models import INVITATION_LIFETIME, Invitation, Membership, hash_secret
from console.tenancy import scope, unscoped_access

logger = logging.getLogger(__name__)


class MembershipError(ValueError):
    """A membership change that would leave the organization in a bad state."""

    def __init__(self, message: str, code: str):
        super().__init__(message)
        self.message = message
        self.code = code


def invite(organization, *, email, role, invited_by, request=None):
    """Create an invitation, email its link and return ``(invitation, absolute_link)``."""
    key = Invitation.new_key()
    with scope(organization):
        invitation = Invitation.objects.create(
            organization=organization,
            email=email,
            role=role,
            key_hash=hash_secret(key),
            invited_by=invited_by if isinstance(invited_by, get_user_model()) else None,
            expires_at=timezone.now() + INVITATION_LIFETIME,
        )

    path = reverse("invitation-accept", args=[key])
    link = request.build_absolute_uri(path) if request is not None else path
    send_mail(
        subject=f"You are invited to {organization.name} on Fusebox",
        message=(
            f"You have been invited to join {organization.name} on Fusebox as "
            f"{roles.ROLE_LABELS[role]}.\n\nAccept the invitation within "
            f"{INVITATION_LIFETIME.days} days: {link}\n"
        ),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[email],
        fail_silently=False,
    )
    record_event(
        organization,
        "member.invited",
        actor=invited_by,
        request=request,
        target=invitation,
        changes={"email": email, "role": role},
    )
    return invitation, link


def find_invitation(key: str):
    with unscoped_access():
        return (
            Invitation.objects.select_related("organization")
            .filter(key_hash=hash_secret(key))
            .first()
        )


def accept_invitation(invitation, user, *, request=None) -> Membership:
    """Turn a pending invitation into a membership of ``user``."""
    if not invitation.is_pending:
        raise MembershipError(
            f"This invitation is {invitation.status}; ask an owner for a new one.",
            "invitation_not_pending",
        )

    organization = invitation.organization
    with transaction.atomic(), scope(organization):
        membership, created = Membership.objects.get_or_create(
            user=user, defaults={"role": invitation.role, "organization": organization}
        )
        Invitation.objects.filter(pk=invitation.pk).update(
            accepted_at=timezone.now(), accepted_by=user
        )
    record_event(
        organization,
        "member.joined",
        actor=user,
        request=request,
        target=membership,
        changes={"role": membership.role, "via": "invitation", "new": created},
    )
    return membership


def revoke_invitation(invitation, *, actor, request=None) -> None:
    with scope(invitation.organization):
        Invitation.objects.filter(pk=invitation.pk).update(revoked_at=timezone.now())
    record_event(
        invitation.organization,
        "invitation.revoked",
        actor=actor,
        request=request,
        target=invitation,
        changes={"email": invitation.email},
    )


def _owners_left(membership) -> int:
    return Membership.objects.filter(role=roles.OWNER).exclude(pk=membership.pk).count()


def change_role(membership, role, *, actor, request=None) -> Membership:
    """Give a member another role; the last owner keeps theirs."""
    if role not in roles.ROLES:
        raise MembershipError(f"Unknown role {role!r}.", "unknown_role")
    previous = membership.role
    if previous == role:
        return membership

    with transaction.atomic(), scope(membership.organization):
        if previous == roles.OWNER and _owners_left(membership) == 0:
            raise MembershipError(
                "An organization needs at least one owner; make someone else owner first.",
                "last_owner",
            )
        membership.role = role
        membership.save(update_fields=["role"])
    record_event(
        membership.organization,
        "member.role_changed",
        actor=actor,
        request=request,
        target=membership,
        changes={"user": membership.user.get_username(), "from": previous, "to": role},
    )
    return membership


def remove_member(membership, *, actor, request=None) -> None:
    """End a membership; the last owner cannot be removed."""
    with transaction.atomic(), scope(membership.organization):
        if membership.role == roles.OWNER and _owners_left(membership) == 0:
            raise MembershipError(
                "An organization needs at least one owner; make someone else owner first.",
                "last_owner",
            )
        username = membership.user.get_username()
        target_label = str(membership)
        membership.delete()
    record_event(
        membership.organization,
        "member.removed",
        actor=actor,
        request=request,
        target=f"membership {target_label}",
        changes={"user": username, "role": membership.role},
    )
