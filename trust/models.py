"""Trust material of an organization: CA certificates, client identities, signing keys.

Public facts (subject, issuer, serial, validity, key, fingerprints, extensions) are stored in
clear for the console; private keys, keystores and passwords only sealed by the vault, bound
to the row they belong to (UUID primary keys exist before the first save, so the sealed
bytes can name their row).
"""

import uuid

from cryptography import x509
from django.conf import settings
from django.db import models
from django.utils import timezone

from console.tenancy import TenantModel
from trust.certificates import CertificateFacts
from vault.sealing import SealedFieldsMixin

EXPIRY_WARNING_DAYS = 30


class TrustMaterial(SealedFieldsMixin, TenantModel):
    """Fields every certificate-bearing item shares: its name and its public facts."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=120)
    created = models.DateTimeField(default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    subject = models.CharField(max_length=500)
    issuer = models.CharField(max_length=500)
    serial = models.CharField(max_length=80)
    not_before = models.DateTimeField()
    not_after = models.DateTimeField()
    key_type = models.CharField(max_length=40)
    key_size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=95)
    sha1 = models.CharField(max_length=59)
    signature_hash = models.CharField(max_length=20)
    extensions = models.JSONField(default=list)
    certificate_pem = models.TextField(help_text="The certificate, then its chain (public).")

    class Meta:
        abstract = True
        ordering = ["not_after"]

    def __str__(self) -> str:
        return self.name

    def fill_facts(self, facts: CertificateFacts) -> None:
        for name in (
            "subject",
            "issuer",
            "serial",
            "not_before",
            "not_after",
            "key_type",
            "key_size",
            "sha256",
            "sha1",
            "signature_hash",
        ):
            setattr(self, name, getattr(facts, name))
        self.extensions = list(facts.extensions)

    def certificates(self) -> list[x509.Certificate]:
        return x509.load_pem_x509_certificates(self.certificate_pem.encode())

    @property
    def days_left(self) -> int:
        return (self.not_after - timezone.now()).days

    @property
    def is_expired(self) -> bool:
        return self.not_after <= timezone.now()

    @property
    def expires_soon(self) -> bool:
        return not self.is_expired and self.days_left < EXPIRY_WARNING_DAYS

    def audit_summary(self) -> dict:
        """What audit events record about the item: public facts, never secrets."""
        return {
            "name": self.name,
            "subject": self.subject,
            "sha256": self.sha256,
            "not_after": self.not_after.isoformat(),
        }


class CACertificate(TrustMaterial):
    """A CA the organization's backend trusts; client identities must chain to one."""

    chain = models.JSONField(default=list, help_text="Facts of every certificate in the bundle.")
    private_key_sealed = models.BinaryField(null=True, blank=True, editable=False)

    class Meta(TrustMaterial.Meta):
        verbose_name = "CA certificate"
        constraints = [
            models.UniqueConstraint(fields=["organization", "sha256"], name="one_ca_per_cert")
        ]

    @property
    def can_issue(self) -> bool:
        return self.private_key_sealed is not None


class ClientIdentity(TrustMaterial):
    """A client certificate and its private key, presented by the fused app for mTLS."""

    UPLOADED = "uploaded"
    ISSUED = "issued"

    ca = models.ForeignKey(
        CACertificate, null=True, on_delete=models.PROTECT, related_name="identities"
    )
    origin = models.CharField(
        max_length=10, choices=[(UPLOADED, "Uploaded"), (ISSUED, "Issued by Fusebox")]
    )
    private_key_sealed = models.BinaryField(editable=False)
    legacy_encryption = models.CharField(max_length=80, blank=True)

    class Meta(TrustMaterial.Meta):
        verbose_name = "client identity"
        verbose_name_plural = "client identities"
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "sha256"], name="one_identity_per_cert"
            )
        ]


class SigningKeystore(TrustMaterial):
    """A PKCS#12 keystore Fusebox signs fused apps with ("sign on Fusebox")."""

    alias = models.CharField(max_length=120)
    keystore_sealed = models.BinaryField(editable=False)
    store_password_sealed = models.BinaryField(editable=False)
    key_password_sealed = models.BinaryField(editable=False)

    class Meta(TrustMaterial.Meta):
        verbose_name = "signing keystore"
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "sha256"], name="one_keystore_per_cert"
            )
        ]


class SigningFingerprint(TenantModel):
    """The certificate a customer signs with outside Fusebox (private signing)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=120)
    sha256 = models.CharField(max_length=95)
    play_signing_sha256 = models.CharField(
        max_length=95, blank=True, help_text="Google Play app signing certificate (optional)."
    )
    created = models.DateTimeField(default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "sha256"], name="one_fingerprint_per_cert"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def audit_summary(self) -> dict:
        return {
            "name": self.name,
            "sha256": self.sha256,
            "play_signing_sha256": self.play_signing_sha256,
        }
