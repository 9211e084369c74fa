"""Console forms for trust material; secret inputs are write-only (never rendered back)."""

from django import forms

from trust.issuing import KEY_CHOICES, MAX_VALIDITY_DAYS
from trust.models import CACertificate
from trust.validation import MAX_CA_UPLOAD_BYTES, MAX_P12_BYTES

# Which form field a trust error code belongs to, so the message appears next to it.
FIELD_OF_CODE = {
    "p12_bad_password": "password",
    "keystore_bad_password": "store_password",
    "keystore_alias_missing": "alias",
    "ca_key_malformed": "private_key",
    "ca_key_mismatch": "private_key",
    "fingerprint_invalid": "sha256",
    "issue_invalid_request": "common_name",
}


class DropFileInput(forms.ClearableFileInput):
    """A file input the drop zone script enhances (drag a file onto the field)."""

    def __init__(self, accept: str):
        super().__init__(attrs={"accept": accept, "data-dropzone": "true"})


def _secret(label: str, required: bool = True, help_text: str = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        strip=False,
        help_text=help_text,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
    )


class TrustForm(forms.Form):
    """Puts a `TrustError` on the field it concerns, or on the whole form."""

    file_field = "file"

    def add_trust_error(self, error) -> None:
        field = FIELD_OF_CODE.get(error.code, self.file_field)
        if error.code == "fingerprint_invalid" and "Google Play" in error.message:
            field = "play_signing_sha256"
        self.add_error(field if field in self.fields else None, f"{error.message} [{error.code}]")


class CACertificateForm(TrustForm):
    name = forms.CharField(label="Name", max_length=120, help_text="e.g. “Device CA 2026”.")
    file = forms.FileField(
        label="CA certificate",
        widget=DropFileInput(".pem,.crt,.cer,.der"),
        help_text=f"PEM, DER or a PEM bundle (issuing CA first), up to "
        f"{MAX_CA_UPLOAD_BYTES // 1024} KiB.",
    )
    private_key = forms.FileField(
        label="CA private key",
        required=False,
        widget=DropFileInput(".pem,.key,.der"),
        help_text="Only if Fusebox should issue client identities from this CA. Stored encrypted.",
    )
    private_key_password = _secret("CA private key password", required=False)


class ClientIdentityForm(TrustForm):
    name = forms.CharField(label="Name", max_length=120, help_text="e.g. “Retail app 2026”.")
    file = forms.FileField(
        label="Client identity (PKCS#12)",
        widget=DropFileInput(".p12,.pfx"),
        help_text=f".p12 or .pfx with one private key and its certificate, up to "
        f"{MAX_P12_BYTES // 1024} KiB.",
    )
    password = _secret("PKCS#12 password", help_text="Used once to open the file; not stored.")
    ca = forms.ModelChoiceField(
        label="Issuing CA",
        queryset=CACertificate.objects.none(),
        required=False,
        empty_label="Find it among our CA certificates",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ca"].queryset = CACertificate.objects.all()


class ReplaceIdentityForm(TrustForm):
    file = ClientIdentityForm.base_fields["file"]
    password = _secret("PKCS#12 password", help_text="Used once to open the file; not stored.")


class IssueIdentityForm(TrustForm):
    file_field = "common_name"
    name = forms.CharField(label="Name", max_length=120, required=False)
    common_name = forms.CharField(
        label="Common name (CN)", max_length=64, help_text="e.g. “retail-app-android”."
    )
    validity_days = forms.IntegerField(
        label="Valid for (days)",
        min_value=1,
        max_value=MAX_VALIDITY_DAYS,
        initial=365,
        help_text="Never beyond the CA's own expiry.",
    )
    key_choice = forms.ChoiceField(label="Key", choices=list(KEY_CHOICES.items()))


class SigningKeystoreForm(TrustForm):
    name = forms.CharField(label="Name", max_length=120)
    file = forms.FileField(
        label="Keystore (PKCS#12)",
        widget=DropFileInput(".p12,.pfx,.keystore,.jks"),
        help_text="As `keytool -genkeypair -storetype PKCS12` writes it. JKS: convert with "
        "`keytool -importkeystore -deststoretype PKCS12` first.",
    )
    alias = forms.CharField(label="Key alias", max_length=120)
    store_password = _secret("Store password")
    key_password = _secret(
        "Key password", required=False, help_text="Leave empty when it equals the store password."
    )


class SigningFingerprintForm(TrustForm):
    file_field = "sha256"
    name = forms.CharField(label="Name", max_length=120)
    sha256 = forms.CharField(
        label="Signing certificate SHA-256",
        max_length=200,
        help_text="64 hex digits, with or without colons (`apksigner verify --print-certs`).",
    )
    play_signing_sha256 = forms.CharField(
        label="Google Play app signing SHA-256",
        max_length=200,
        required=False,
        help_text="From Play Console → App integrity, when Google re-signs the app.",
    )
