"""DEV-API shapes for trust material: facts out, files and write-only passwords in."""

from rest_framework import serializers

from trust.issuing import KEY_CHOICES, MAX_VALIDITY_DAYS
from trust.models import CACertificate, ClientIdentity, SigningFingerprint, SigningKeystore
from trust.usage import usage_of

FACT_FIELDS = [
    "id",
    "name",
    "subject",
    "issuer",
    "serial",
    "not_before",
    "not_after",
    "days_left",
    "key_type",
    "key_size",
    "sha256",
    "sha1",
    "signature_hash",
    "extensions",
    "certificate_pem",
    "used_by",
    "created",
]


class UsageMixin(serializers.Serializer):
    used_by = serializers.SerializerMethodField()

    def get_used_by(self, item) -> list[str]:
        return usage_of(item)


class CACertificateSerializer(UsageMixin, serializers.ModelSerializer):
    days_left = serializers.IntegerField(read_only=True)
    can_issue = serializers.BooleanField(read_only=True)

    class Meta:
        model = CACertificate
        fields = [*FACT_FIELDS, "chain", "can_issue"]
        read_only_fields = fields


class ClientIdentitySerializer(UsageMixin, serializers.ModelSerializer):
    days_left = serializers.IntegerField(read_only=True)

    class Meta:
        model = ClientIdentity
        fields = [*FACT_FIELDS, "ca", "origin", "legacy_encryption"]
        read_only_fields = fields


class SigningKeystoreSerializer(UsageMixin, serializers.ModelSerializer):
    days_left = serializers.IntegerField(read_only=True)

    class Meta:
        model = SigningKeystore
        fields = [*FACT_FIELDS, "alias"]
        read_only_fields = fields


class SigningFingerprintSerializer(UsageMixin, serializers.ModelSerializer):
    class Meta:
        model = SigningFingerprint
        fields = ["id", "name", "sha256", "play_signing_sha256", "used_by", "created"]
        read_only_fields = ["id", "used_by", "created"]


def _password(help_text: str, required: bool = True) -> serializers.CharField:
    return serializers.CharField(
        write_only=True,
        required=required,
        allow_blank=not required,
        trim_whitespace=False,
        style={"input_type": "password"},
        help_text=help_text,
    )


class CACertificateUploadSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=120)
    file = serializers.FileField(write_only=True, help_text="PEM, DER or PEM bundle.")
    private_key = serializers.FileField(
        write_only=True,
        required=False,
        help_text="Optional CA private key (PEM/DER) so Fusebox can issue identities.",
    )
    private_key_password = _password("Password of the CA private key, if any.", False)


class ClientIdentityUploadSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=120)
    file = serializers.FileField(write_only=True, help_text="PKCS#12 (.p12/.pfx).")
    password = _password("PKCS#12 password; used once, never stored.")
    ca = serializers.UUIDField(
        required=False, help_text="CA certificate id; all of the organization's when absent."
    )


class ClientIdentityReplaceSerializer(serializers.Serializer):
    file = serializers.FileField(write_only=True, help_text="The renewed PKCS#12.")
    password = _password("PKCS#12 password; used once, never stored.")


class IssueIdentitySerializer(serializers.Serializer):
    name = serializers.CharField(max_length=120, required=False, allow_blank=True)
    common_name = serializers.CharField(max_length=64)
    validity_days = serializers.IntegerField(min_value=1, max_value=MAX_VALIDITY_DAYS)
    key_choice = serializers.ChoiceField(choices=list(KEY_CHOICES), default="ec-p256")


class SigningKeystoreUploadSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=120)
    file = serializers.FileField(write_only=True, help_text="PKCS#12 keystore from keytool.")
    alias = serializers.CharField(max_length=120)
    store_password = _password("Keystore password; stored encrypted.")
    key_password = _password("Key password when it differs from the store password.", False)


class SigningFingerprintUploadSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=120)
    sha256 = serializers.CharField(max_length=200, help_text="64 hex digits, colons optional.")
    play_signing_sha256 = serializers.CharField(
        max_length=200, required=False, allow_blank=True, help_text="Optional, same format."
    )


class TrustErrorSerializer(serializers.Serializer):
    """The 422 body: a stable code from the trust error table and what to fix."""

    code = serializers.CharField()
    detail = serializers.CharField()
