"""The Fusion Set editor form and the import form.

The form only gathers values into a settings document; every rule is enforced by
``services.validated`` (the same gate as the DEV-API and the import), and its errors are
placed next to the field they name.
"""

import json

from django import forms

from fusionsets import services
from fusionsets.documents import SIGNING_METHODS, default_document, mtls_settings
from fusionsets.errors import FusionSetError
from fusionsets.exchange import MAX_IMPORT_BYTES
from trust.models import CACertificate, ClientIdentity, SigningFingerprint, SigningKeystore
from workers.engine.threat_events import MODES

_MTLS = "protections.mobilebot_defense.features.mtls_preauth"
FIELD_FOR_PATH = {
    "name": "name",
    "description": "description",
    "protections.mobilebot_defense.enabled": "mobilebot_enabled",
    f"{_MTLS}.enabled": "mtls_enabled",
    f"{_MTLS}.ca_certificate": "ca_certificate",
    f"{_MTLS}.client_identity": "client_identity",
    f"{_MTLS}.pinned_hosts": "pinned_hosts",
    f"{_MTLS}.server_cas": "server_cas",
    f"{_MTLS}.threat_events": "threat_message",
    f"{_MTLS}.threat_events.mode": "threat_mode",
    f"{_MTLS}.threat_events.message": "threat_message",
    f"{_MTLS}.threat_events.fail_safe_delay_ms": "fail_safe_delay_ms",
    f"{_MTLS}.threat_events.threat_score": "threat_score",
    "signing.method": "signing_method",
    "signing.keystore": "keystore",
    "signing.fingerprints": "fingerprints",
}


class MaterialChoiceField(forms.ModelChoiceField):
    """Trust material shown with what a choice needs: its CA (identities) and expiry."""

    def label_from_instance(self, obj) -> str:
        parts = [obj.name]
        ca = getattr(obj, "ca", None)
        if ca is not None:
            parts.append(f"from {ca.name}")
        if getattr(obj, "not_after", None) is not None:
            state = "expired" if obj.is_expired else "until"
            parts.append(f"{state} {obj.not_after:%Y-%m-%d}")
        return " · ".join(parts)


class SwitchInput(forms.CheckboxInput):
    """A checkbox announced as a switch; Space toggles it like any checkbox."""

    def __init__(self, controls: str):
        super().__init__(attrs={"role": "switch", "data-controls": controls})


class FusionSetForm(forms.Form):
    name = forms.CharField(max_length=120)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    mobilebot_enabled = forms.BooleanField(
        label="MobileBOT Defense", required=False, widget=SwitchInput("mobilebot-settings")
    )
    mtls_enabled = forms.BooleanField(
        label="mTLS Pre-Authentication",
        required=False,
        initial=True,
        widget=SwitchInput("mtls-settings"),
    )
    ca_certificate = MaterialChoiceField(
        queryset=CACertificate.objects.all(),
        required=False,
        label="CA certificate",
        help_text="The CA your backend trusts for client certificates.",
    )
    client_identity = MaterialChoiceField(
        queryset=ClientIdentity.objects.select_related("ca"),
        required=False,
        label="Client identity",
        help_text="The certificate and key the app presents; it must chain to the CA.",
    )
    pinned_hosts = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "false"}),
        required=False,
        help_text="One host per line, such as api.example.com or *.example.com.",
    )
    server_cas = forms.ModelMultipleChoiceField(
        queryset=CACertificate.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Server trust anchors",
        help_text="Only these CAs are trusted for pinned hosts (the system CAs otherwise).",
    )
    threat_mode = forms.ChoiceField(
        label="Threat-Events mode",
        choices=[(mode.name, f"{mode.name}: {mode.meaning}") for mode in MODES.values()],
        widget=forms.RadioSelect,
    )
    threat_message = forms.CharField(label="Message shown to the user", max_length=500)
    fail_safe_delay_ms = forms.IntegerField(label="Fail-safe enforcement delay (ms)")
    threat_score = forms.IntegerField(label="Threat score")
    signing_method = forms.ChoiceField(
        choices=[("", "Not chosen yet"), *SIGNING_METHODS.items()],
        required=False,
        widget=forms.RadioSelect,
    )
    keystore = MaterialChoiceField(
        queryset=SigningKeystore.objects.all(), required=False, label="Signing keystore"
    )
    fingerprints = forms.ModelMultipleChoiceField(
        queryset=SigningFingerprint.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Final signing certificate fingerprints",
    )
    comment = forms.CharField(
        max_length=500, required=False, help_text="Why this change (shown in the history)."
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.document = None
        self.fields["pinned_hosts"].widget.attrs["aria-describedby"] = "pinned-hosts-feedback"

    @classmethod
    def initial_for(cls, fusion_set=None) -> dict:
        document = fusion_set.settings if fusion_set is not None else default_document()
        section = document["protections"]["mobilebot_defense"]
        mtls = mtls_settings(document)
        threat = mtls["threat_events"]
        return {
            "name": fusion_set.name if fusion_set else "",
            "description": fusion_set.description if fusion_set else "",
            "mobilebot_enabled": section["enabled"],
            "mtls_enabled": section["features"]["mtls_preauth"]["enabled"],
            "ca_certificate": mtls["ca_certificate"],
            "client_identity": mtls["client_identity"],
            "pinned_hosts": "\n".join(mtls["pinned_hosts"]),
            "server_cas": mtls["server_cas"],
            "threat_mode": threat["mode"],
            "threat_message": threat["message"],
            "fail_safe_delay_ms": threat["fail_safe_delay_ms"],
            "threat_score": threat["threat_score"],
            "signing_method": document["signing"]["method"],
            "keystore": document["signing"]["keystore"],
            "fingerprints": document["signing"]["fingerprints"],
        }

    def settings_document(self) -> dict:
        data = self.cleaned_data
        return {
            "protections": {
                "mobilebot_defense": {
                    "enabled": bool(data.get("mobilebot_enabled")),
                    "features": {
                        "mtls_preauth": {
                            "enabled": bool(data.get("mtls_enabled")),
                            "ca_certificate": _pk(data.get("ca_certificate")),
                            "client_identity": _pk(data.get("client_identity")),
                            "pinned_hosts": data.get("pinned_hosts") or "",
                            "server_cas": [str(ca.pk) for ca in data.get("server_cas") or []],
                            "threat_events": {
                                "mode": data.get("threat_mode"),
                                "message": data.get("threat_message"),
                                "fail_safe_delay_ms": data.get("fail_safe_delay_ms"),
                                "threat_score": data.get("threat_score"),
                            },
                        }
                    },
                }
            },
            "signing": {
                "method": data.get("signing_method") or "",
                "keystore": _pk(data.get("keystore")),
                "fingerprints": [str(item.pk) for item in data.get("fingerprints") or []],
            },
        }

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        try:
            _identity, self.document = services.validated(
                cleaned.get("name"),
                cleaned.get("description") or "",
                "android",
                self.settings_document(),
            )
        except FusionSetError as error:
            self.add_error(FIELD_FOR_PATH.get(error.field), error.message)
        return cleaned


def _pk(item) -> str | None:
    return str(item.pk) if item is not None else None


class ImportForm(forms.Form):
    """An exported Fusion Set, uploaded as a file or pasted."""

    file = forms.FileField(required=False, label="Export file (.json)")
    text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false"}),
        required=False,
        label="Or paste the JSON",
    )
    name = forms.CharField(
        max_length=120, required=False, help_text="Leave empty to keep the exported name."
    )

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("file")
        raw = upload.read(MAX_IMPORT_BYTES + 1) if upload else (cleaned.get("text") or "")
        if isinstance(raw, str):
            raw = raw.encode()
        if not raw.strip():
            raise forms.ValidationError("Choose an export file or paste its JSON.")
        if len(raw) > MAX_IMPORT_BYTES:
            raise forms.ValidationError(
                f"The export is larger than {MAX_IMPORT_BYTES // 1024} KiB; is it the right file?"
            )
        try:
            cleaned["document"] = json.loads(raw)
        except (ValueError, UnicodeDecodeError) as error:
            raise forms.ValidationError(f"The file is not valid JSON: {error}") from None
        return cleaned
