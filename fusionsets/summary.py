"""The detail summary: everything a build of a Fusion Set will apply, in one structure.

The console's detail page and the DEV-API's ``summary`` action both render this, so the
page and its API twin never disagree. Trust material appears by name, fingerprint and
validity only.
"""

from fusionsets import catalog
from fusionsets.documents import PLATFORMS, SIGNING_METHODS, mtls_settings
from fusionsets.readiness import readiness
from fusionsets.references import MODELS
from workers.engine.threat_events import MODES


def _material(fusion_set, kind: str, identifier: str | None) -> dict | None:
    if not identifier:
        return None
    item = (
        MODELS[kind]
        .unscoped.filter(organization_id=fusion_set.organization_id, pk=identifier)
        .first()
    )
    if item is None:
        return {"id": identifier, "name": "(deleted)", "sha256": "", "not_after": None}
    facts = {"id": str(item.pk), "name": item.name, "sha256": item.sha256}
    facts["not_after"] = item.not_after.isoformat() if hasattr(item, "not_after") else None
    if kind == "fingerprint":
        facts["play_signing_sha256"] = item.play_signing_sha256
    return facts


def summarize(fusion_set) -> dict:
    """Readiness, protections and signing of the set's current revision."""
    document = fusion_set.settings
    reasons = readiness(fusion_set)
    protections = []
    for category in catalog.categories():
        for section in category.sections:
            for feature in section.features:
                section_enabled, settings = catalog.stored_settings(
                    document["protections"], section, feature
                )
                enabled = section_enabled and bool(settings.get("enabled"))
                protections.append(
                    {
                        "category": category.label,
                        "section": section.label,
                        "section_enabled": section_enabled,
                        "feature": feature.label,
                        "feature_key": feature.key,
                        "applied": enabled,
                    }
                )

    mtls = mtls_settings(document)
    threat_events = dict(mtls["threat_events"])
    threat_events["mode_meaning"] = MODES[threat_events["mode"]].meaning
    signing = document["signing"]
    return {
        "id": str(fusion_set.pk),
        "name": fusion_set.name,
        "description": fusion_set.description,
        "platform": PLATFORMS[fusion_set.platform],
        "revision": fusion_set.revision_number,
        "frozen": fusion_set.is_frozen,
        "archived": fusion_set.is_archived,
        "ready": not reasons,
        "reasons": reasons,
        "protections": protections,
        "mtls": {
            "ca_certificate": _material(fusion_set, "ca", mtls["ca_certificate"]),
            "client_identity": _material(fusion_set, "identity", mtls["client_identity"]),
            "pinned_hosts": list(mtls["pinned_hosts"]),
            "server_cas": [_material(fusion_set, "ca", i) for i in mtls["server_cas"]],
            "threat_events": threat_events,
        },
        "signing": {
            "method": signing["method"],
            "method_label": SIGNING_METHODS.get(signing["method"], "Not chosen"),
            "keystore": _material(fusion_set, "keystore", signing["keystore"]),
            "fingerprints": [
                _material(fusion_set, "fingerprint", i) for i in signing["fingerprints"]
            ],
        },
    }
