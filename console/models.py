"""Organizations (the tenants), their members, invitations, DEV-API tokens and audit trail."""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

from console import roles
from console.tenancy import TenantModel

INVITATION_LIFETIME = timedelta(days=7)
TOKEN_KEY_PREFIX = "fbx_"  # noqa: S105 (a public marker, not a secret)


def hash_secret(value: str) -> str:
    """SHA-256 of a high-entropy random secret (tokens, invitation links); never a password."""
    return hashlib.sha256(value.encode()).hexdigest()


class AuditTrailIsAppendOnly(RuntimeError):
    """Code tried to change or delete a written audit event."""


class Organization(models.Model):
    """A tenant: every app, build, certificate and audit event belongs to exactly one."""

    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=60, unique=True)
    created = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Membership(TenantModel):
    """A user's role in one organization; a user may belong to several organizations."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=16, choices=roles.ROLE_CHOICES)
    created = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["user__username"]
        constraints = [
            models.UniqueConstraint(fields=["user", "organization"], name="one_role_per_org")
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.role})"


class Invitation(TenantModel):
    """An emailed link that becomes a membership when the recipient accepts it."""

    email = models.EmailField()
    role = models.CharField(max_length=16, choices=roles.ROLE_CHOICES)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created = models.DateTimeField(default=timezone.now, editable=False)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"invitation for {self.email} as {self.role}"

    @staticmethod
    def new_key() -> str:
        return secrets.token_urlsafe(32)

    @property
    def status(self) -> str:
        if self.accepted_at:
            return "accepted"
        if self.revoked_at:
            return "revoked"
        if self.expires_at <= timezone.now():
            return "expired"
        return "pending"

    @property
    def is_pending(self) -> bool:
        return self.status == "pending"


class ApiToken(TenantModel):
    """A DEV-API credential: role-scoped, shown once, stored as a hash, revocable."""

    name = models.CharField(max_length=80)
    role = models.CharField(max_length=16, choices=roles.ROLE_CHOICES)
    prefix = models.CharField(max_length=16, unique=True, editable=False)
    key_hash = models.CharField(max_length=64, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created = models.DateTimeField(default=timezone.now, editable=False)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def new_key() -> tuple[str, str]:
        """A fresh key and its public prefix: ``fbx_`` + 8 shown characters + 40 secret ones."""
        shown = secrets.token_hex(4)
        key = f"{TOKEN_KEY_PREFIX}{shown}{secrets.token_urlsafe(30)}"
        return key, f"{TOKEN_KEY_PREFIX}{shown}"

    @property
    def is_active(self) -> bool:
        if self.revoked_at is not None:
            return False
        return self.expires_at is None or self.expires_at > timezone.now()

    @property
    def status(self) -> str:
        if self.revoked_at is not None:
            return "revoked"
        if not self.is_active:
            return "expired"
        return "active"


class AuditEvent(TenantModel):
    """One entry of an organization's append-only, hash-chained audit trail.

    ``previous_hash`` holds the ``hash`` of the organization's previous event, so editing or
    deleting a row breaks the chain (``manage.py verify_audit`` finds it); on PostgreSQL a
    trigger refuses UPDATE and DELETE outright.
    """

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="+", editable=False
    )
    sequence = models.PositiveBigIntegerField(editable=False)
    created = models.DateTimeField(editable=False)
    action = models.CharField(max_length=80, db_index=True)
    actor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        related_name="+",
    )
    actor_token = models.ForeignKey(
        ApiToken, on_delete=models.DO_NOTHING, db_constraint=False, null=True, related_name="+"
    )
    actor_label = models.CharField(max_length=200, blank=True)
    source_ip = models.GenericIPAddressField(null=True, blank=True)
    target_type = models.CharField(max_length=80, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    target_label = models.CharField(max_length=200, blank=True)
    changes = models.JSONField(default=dict, blank=True)
    previous_hash = models.CharField(max_length=64, editable=False)
    hash = models.CharField(max_length=64, editable=False)

    class Meta:
        ordering = ["-sequence"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "sequence"], name="one_audit_event_per_position"
            )
        ]

    def __str__(self) -> str:
        return f"#{self.sequence} {self.action}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AuditTrailIsAppendOnly("audit events cannot be changed once written")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditTrailIsAppendOnly("audit events cannot be deleted")

    @property
    def actor_kind(self) -> str:
        if self.actor_token_id:
            return "token"
        return "user" if self.actor_user_id else "system"


class WorkerPing(models.Model):
    """A round trip through the task queue: the console writes a row, the worker answers it."""

    requested_at = models.DateTimeField(default=timezone.now)
    answered_at = models.DateTimeField(null=True, blank=True)
    worker = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-requested_at"]

    def __str__(self) -> str:
        return f"ping {self.pk} at {self.requested_at:%H:%M:%S}"
