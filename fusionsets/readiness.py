"""Whether a Fusion Set can start a build now, and if not, why, in plain words.

Saved settings were valid when saved, but time passes (certificates expire) and trust
material changes, so readiness is computed on demand from the current rows. Freezing does
not block builds; archiving does.
"""

from django.utils import timezone

from fusionsets.catalog import enabled_features
from fusionsets.documents import SIGN_ON_FUSEBOX, SIGN_PRIVATELY, mtls_settings
from fusionsets.references import MODELS, identity_chains_to
from workers.engine.errors import EngineError
from workers.engine.network_config import validate_pin_host


def readiness(fusion_set) -> list[str]:
    """Reasons the set cannot build now; an empty list means ready."""
    reasons = []
    if fusion_set.is_archived:
        reasons.append("The Fusion Set is archived; archived sets cannot build (clone it).")
    return reasons + reasons_for(fusion_set.organization_id, fusion_set.settings)


def _lookup(organization_id: int, kind: str, identifier: str | None):
    # Read through the unscoped manager filtered to the set's own organization, so
    # readiness answers the same in a request, a Celery task or a management command.
    if not identifier:
        return None
    model = MODELS[kind]
    return model.unscoped.filter(organization_id=organization_id, pk=identifier).first()


def reasons_for(organization_id: int, document: dict, now=None) -> list[str]:
    """Reasons a settings document (saved or with build overrides) cannot build now."""
    now = now or timezone.now()
    reasons = _mtls_reasons(organization_id, document, now)
    return reasons + _signing_reasons(organization_id, document["signing"], now)


def _mtls_reasons(organization_id: int, document: dict, now) -> list[str]:
    active = {
        feature.key for _section, feature, _settings in enabled_features(document["protections"])
    }
    if "mtls_preauth" not in active:
        return [
            "MobileBOT Defense with mTLS Pre-Authentication is not enabled, so a build has "
            "nothing to apply."
        ]

    reasons = []
    settings = mtls_settings(document)
    ca = _lookup(organization_id, "ca", settings["ca_certificate"])
    identity = _lookup(organization_id, "identity", settings["client_identity"])
    if ca is None:
        reasons.append("No CA certificate is selected (or it was deleted).")
    elif ca.not_after <= now:
        reasons.append(f"CA certificate '{ca.name}' expired on {ca.not_after:%Y-%m-%d}.")
    elif ca.not_before > now:
        reasons.append(
            f"CA certificate '{ca.name}' is not valid before {ca.not_before:%Y-%m-%d %H:%M} UTC."
        )
    if identity is None:
        reasons.append("No client identity is selected (or it was deleted).")
    else:
        if identity.not_after <= now:
            reasons.append(
                f"Client identity '{identity.name}' expired on {identity.not_after:%Y-%m-%d}."
            )
        if identity.not_before > now:
            reasons.append(
                f"Client identity '{identity.name}' is not valid before "
                f"{identity.not_before:%Y-%m-%d %H:%M} UTC."
            )
        if ca is not None and not identity_chains_to(identity, ca):
            reasons.append(
                f"Client identity '{identity.name}' does not chain to the selected CA '{ca.name}'."
            )

    for host in settings["pinned_hosts"]:
        try:
            validate_pin_host(host)
        except EngineError as error:
            reasons.append(f"Pinned host is invalid: {error.message}.")
    for identifier in settings["server_cas"]:
        anchor = _lookup(organization_id, "ca", identifier)
        if anchor is None:
            reasons.append("A server trust anchor was deleted; choose the anchors again.")
        elif anchor.not_after <= now:
            reasons.append(f"Server trust anchor '{anchor.name}' has expired.")
    return reasons


def _signing_reasons(organization_id: int, signing: dict, now) -> list[str]:
    method = signing.get("method")
    if not method:
        return ["No signing method is chosen (sign on Fusebox, private or auto-dev)."]
    if method == SIGN_ON_FUSEBOX:
        keystore = _lookup(organization_id, "keystore", signing.get("keystore"))
        if keystore is None:
            return [
                "Signing on Fusebox needs a keystore, and none is selected (or it was deleted)."
            ]
        if keystore.not_after <= now:
            return [
                f"The signing keystore '{keystore.name}' certificate expired on "
                f"{keystore.not_after:%Y-%m-%d}."
            ]
    if method == SIGN_PRIVATELY:
        found = [
            _lookup(organization_id, "fingerprint", identifier)
            for identifier in signing.get("fingerprints", [])
        ]
        extra = signing.get("extra_fingerprints", [])
        if not [item for item in found if item is not None] and not extra:
            return ["Private signing needs the final signing certificate's fingerprint."]
        if None in found:
            return ["A private signing fingerprint was deleted; choose the fingerprints again."]
    return []
