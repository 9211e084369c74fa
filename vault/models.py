"""Per-organization data keys, stored only wrapped by the master key."""

from django.db import models
from django.utils import timezone


class OrganizationDataKey(models.Model):
    """One AES-256 data key of an organization, wrapped by a versioned master key.

    Not a tenant-scoped model on purpose: only the vault reads it (including rotation across
    every organization), it is never listed or routed, and it holds nothing usable without
    the master key.
    """

    organization = models.ForeignKey(
        "console.Organization", on_delete=models.CASCADE, related_name="data_keys"
    )
    version = models.PositiveIntegerField()
    wrapped_key = models.BinaryField()
    master_key_version = models.CharField(max_length=64)
    created = models.DateTimeField(default=timezone.now, editable=False)
    rewrapped = models.DateTimeField(null=True, blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "version"], name="one_data_key_per_version"
            )
        ]

    def __str__(self) -> str:
        return f"data key v{self.version} of organization {self.organization_id}"
