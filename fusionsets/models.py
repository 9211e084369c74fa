"""Fusion Sets and their immutable revisions.

A Fusion Set holds its current settings document; every accepted change appends a
``FusionSetRevision`` with a full snapshot and a field-level diff, so a build can record
exactly what it applied and the history never changes under an auditor.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from console.tenancy import TenantModel, TenantQuerySet
from fusionsets.documents import PLATFORM_ANDROID, PLATFORMS, default_document
from fusionsets.errors import RevisionImmutable

# Both models have a field named ``settings``, which would shadow django.conf.settings.
USER_MODEL = settings.AUTH_USER_MODEL


class FusionSet(TenantModel):
    """A named, versioned set of protections that DevOps pass to every build by its ID."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    platform = models.CharField(
        max_length=20, choices=list(PLATFORMS.items()), default=PLATFORM_ANDROID
    )
    settings = models.JSONField(default=default_document)
    current_revision = models.ForeignKey(
        "FusionSetRevision", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    frozen_at = models.DateTimeField(null=True, blank=True)
    frozen_by = models.ForeignKey(
        USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    archived_at = models.DateTimeField(null=True, blank=True)
    cloned_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["name", "created_at"]
        indexes = [models.Index(fields=["organization", "name"], name="fusionset_org_name")]

    def __str__(self) -> str:
        return self.name

    @property
    def is_frozen(self) -> bool:
        return self.frozen_at is not None

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None

    @property
    def revision_number(self) -> int:
        return self.current_revision.number if self.current_revision_id else 0

    def snapshot(self) -> dict:
        """What a revision stores: identity fields and the whole settings document."""
        return {
            "name": self.name,
            "description": self.description,
            "platform": self.platform,
            **self.settings,
        }


class RevisionQuerySet(TenantQuerySet):
    """Revisions are append-only: bulk updates and deletes are refused."""

    def update(self, **kwargs):
        raise RevisionImmutable("Fusion Set revisions cannot be changed")

    def delete(self):
        raise RevisionImmutable("Fusion Set revisions cannot be deleted")


class RevisionManager(models.Manager.from_queryset(RevisionQuerySet)):
    pass


class FusionSetRevision(TenantModel):
    """One saved state of a Fusion Set: who, when, why, the snapshot and the diff."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    fusion_set = models.ForeignKey(FusionSet, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    settings = models.JSONField()
    diff = models.JSONField(default=list)
    comment = models.CharField(max_length=500, blank=True)
    created_by = models.ForeignKey(
        USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by_label = models.CharField(
        max_length=200, blank=True, help_text="Who saved it (user name or DEV-API token)."
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = RevisionManager()

    class Meta:
        ordering = ["fusion_set", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["fusion_set", "number"], name="one_revision_number")
        ]

    def __str__(self) -> str:
        return f"{self.fusion_set.name} r{self.number}"

    def save(self, *args, **kwargs):
        """Insert once; a stored revision is never rewritten."""
        if not self._state.adding:
            raise RevisionImmutable(f"revision {self.number} of a Fusion Set cannot be changed")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RevisionImmutable(f"revision {self.number} of a Fusion Set cannot be deleted")
