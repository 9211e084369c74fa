"""The installation's report-signing authority and the signed report of each build.

The authority is installation-wide (one CA auditors download once); its private keys are
stored only encrypted, under a key wrapped by the vault's master key provider. Reports are
tenant rows: the files live in the build storage, the row keeps their digests for lookups.
"""

import uuid

from django.db import models
from django.utils import timezone

from console.tenancy import TenantModel


class ReportAuthorityRecord(models.Model):
    """The report-signing CA and signing certificate; keys only as wrapped bytes."""

    INSTALLATION = "installation"

    name = models.CharField(max_length=40, unique=True, default=INSTALLATION)
    source = models.CharField(max_length=20, default="created")
    ca_certificate_pem = models.TextField()
    signing_certificate_pem = models.TextField()
    chain_pem = models.TextField(blank=True)
    wrapped_signing_key = models.BinaryField()
    wrapped_ca_key = models.BinaryField(null=True)
    key_wrap_version = models.CharField(max_length=40)
    key_wrap_blob = models.BinaryField()
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    def __str__(self) -> str:
        return f"report authority {self.name}"


class CertifiedReport(TenantModel):
    """The signed PDF, JSON and JWS issued for one successful build."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    report_id = models.CharField(max_length=64, unique=True)
    build = models.OneToOneField(
        "builds.Build", on_delete=models.CASCADE, related_name="certified_report"
    )
    pdf_name = models.CharField(max_length=400)
    json_name = models.CharField(max_length=400)
    jws = models.TextField()
    pdf_sha256 = models.CharField(max_length=64, db_index=True)
    json_sha256 = models.CharField(max_length=64, db_index=True)
    output_sha256 = models.CharField(max_length=64, db_index=True)
    package = models.CharField(max_length=255)
    version_name = models.CharField(max_length=120, blank=True)
    app_name = models.CharField(max_length=255, blank=True)
    fusion_set_name = models.CharField(max_length=120, blank=True)
    passed = models.BooleanField(default=True)
    signer_sha256 = models.CharField(max_length=64)
    issued_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-issued_at"]
        indexes = [models.Index(fields=["organization", "-issued_at"], name="report_org_recent")]

    def __str__(self) -> str:
        return self.report_id

    @property
    def verdict(self) -> str:
        return "PASSED" if self.passed else "FAILED"
