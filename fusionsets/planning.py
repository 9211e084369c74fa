"""What a build applies from a Fusion Set: a frozen, secret-free ``BuildPlan``.

Builds call ``plan_for_build`` with the per-build overrides from the DEV-API. Overrides may
only change the signing method and its keystore or fingerprints, and the Threat-Events
message and mode; they are validated as strictly as the form.
"""

import copy
import logging
from dataclasses import asdict, dataclass

from fusionsets.catalog import enabled_features
from fusionsets.documents import (
    SIGN_ON_FUSEBOX,
    SIGN_PRIVATELY,
    SIGNING_METHODS,
    mtls_settings,
    validate_signing,
)
from fusionsets.features.mtls import validate_threat_events
from fusionsets.ids import id_list, optional_id
from fusionsets.readiness import reasons_for
from fusionsets.references import MODELS
from workers.engine.errors import RejectedInput
from workers.engine.fingerprints import sha256_hex
from workers.engine.fusion import ThreatEventSettings

logger = logging.getLogger(__name__)

_SIGNING_OVERRIDES = {
    "method",
    "keystore_id",
    "fingerprint_ids",
    "fingerprints",
    "google_play_fingerprint",
}
_THREAT_OVERRIDES = {"mode", "message"}


class NotReady(RejectedInput):
    """The Fusion Set cannot build now; ``reasons`` lists why in plain words."""

    code = "fusionset_not_ready"

    def __init__(self, reasons: list[str]):
        super().__init__("the Fusion Set cannot build now: " + " ".join(reasons))
        self.reasons = list(reasons)


class OverrideInvalid(RejectedInput):
    """A per-build override is not allowed or not valid."""

    code = "override_invalid"


@dataclass(frozen=True)
class BuildPlan:
    """Everything a build applies, by id and fingerprint; it never holds secret material."""

    fusion_set_id: str
    revision_number: int
    revision_id: str
    ca_certificate_id: str
    client_identity_id: str
    pinned_hosts: tuple[str, ...]
    server_ca_ids: tuple[str, ...]
    threat_events: dict
    signing: dict
    features: tuple[dict, ...]

    def to_dict(self) -> dict:
        data = asdict(self)
        for key in ("pinned_hosts", "server_ca_ids", "features"):
            data[key] = list(data[key])
        return data

    def threat_event_settings(self) -> ThreatEventSettings:
        """The engine's settings object for ``FusionRequest.threat_events``."""
        return ThreatEventSettings(**self.threat_events)


def plan_for_build(fusion_set, overrides: dict | None = None, *, revision=None) -> BuildPlan:
    """The plan of the set's current revision with ``overrides``; raises NotReady.

    ``revision`` plans an earlier revision of the set instead: a build that signs another
    build's app again must carry the protections that app was fused with, not whatever the
    set holds today.
    """
    if revision is not None and revision.fusion_set_id != fusion_set.pk:
        raise ValueError(f"revision {revision.pk} belongs to another Fusion Set")
    if revision is None:
        document = copy.deepcopy(fusion_set.settings)
        revision_number, revision_id = fusion_set.revision_number, fusion_set.current_revision_id
    else:
        document = copy.deepcopy(revision.settings)
        revision_number, revision_id = revision.number, revision.pk
    extra = _apply_overrides(document, overrides or {})
    _check_override_material(fusion_set.organization_id, overrides or {})

    reasons = []
    if fusion_set.is_archived:
        reasons.append("The Fusion Set is archived; archived sets cannot build (clone it).")
    signing_for_readiness = {**document["signing"], "extra_fingerprints": extra["fingerprints"]}
    reasons += reasons_for(
        fusion_set.organization_id, {**document, "signing": signing_for_readiness}
    )
    if reasons:
        logger.info("fusion set %s not ready for a build: %s", fusion_set.pk, "; ".join(reasons))
        raise NotReady(reasons)

    mtls = mtls_settings(document)
    return BuildPlan(
        fusion_set_id=str(fusion_set.pk),
        revision_number=revision_number,
        revision_id=str(revision_id),
        ca_certificate_id=mtls["ca_certificate"],
        client_identity_id=mtls["client_identity"],
        pinned_hosts=tuple(mtls["pinned_hosts"]),
        server_ca_ids=tuple(mtls["server_cas"]),
        threat_events=dict(mtls["threat_events"]),
        signing=_signing_plan(fusion_set.organization_id, document["signing"], extra),
        features=tuple(
            {"section": section.key, "feature": feature.key, "label": feature.label}
            for section, feature, _settings in enabled_features(document["protections"])
        ),
    )


def _apply_overrides(document: dict, overrides: object) -> dict:
    """Validate the overrides and write them into ``document``; returns raw fingerprints."""
    if not isinstance(overrides, dict):
        raise OverrideInvalid("overrides must be an object")
    _refuse_unknown(overrides, {"signing", "threat_events"}, "overrides")
    extra = {"fingerprints": [], "google_play_fingerprint": ""}

    threat = overrides.get("threat_events")
    if threat is not None:
        _refuse_unknown(_object(threat, "threat_events"), _THREAT_OVERRIDES, "threat_events")
        mtls = mtls_settings(document)
        merged = {**mtls["threat_events"], **threat}
        mtls["threat_events"] = _checked(
            validate_threat_events, merged, "threat_events", mtls["pinned_hosts"]
        )

    signing = overrides.get("signing")
    if signing is not None:
        _refuse_unknown(_object(signing, "signing"), _SIGNING_OVERRIDES, "signing")
        method = signing.get("method", document["signing"]["method"])
        if method not in SIGNING_METHODS:
            raise OverrideInvalid(f"signing.method must be one of {', '.join(SIGNING_METHODS)}")
        extra["fingerprints"] = [
            _hex(value, "signing.fingerprints") for value in _list(signing, "fingerprints")
        ]
        play = signing.get("google_play_fingerprint") or ""
        extra["google_play_fingerprint"] = (
            _hex(play, "signing.google_play_fingerprint") if play else ""
        )
        fingerprint_ids = _checked(id_list, _list(signing, "fingerprint_ids"), "signing")
        keystore = _checked(optional_id, signing.get("keystore_id"), "signing.keystore_id")
        given = {"method": method, "keystore": keystore, "fingerprints": fingerprint_ids}
        if method == SIGN_ON_FUSEBOX and keystore is None:
            given["keystore"] = document["signing"].get("keystore")
        if method == SIGN_PRIVATELY and not fingerprint_ids and not extra["fingerprints"]:
            given["fingerprints"] = document["signing"].get("fingerprints", [])
        if method == SIGN_PRIVATELY and not given["fingerprints"] and extra["fingerprints"]:
            document["signing"] = {"method": method, "keystore": None, "fingerprints": []}
        else:
            document["signing"] = _checked(
                lambda value, _path: validate_signing(value), given, "signing"
            )
    return extra


def _check_override_material(organization_id: int, overrides: dict) -> None:
    """Ids given per build must name material of the set's own organization."""
    signing = overrides.get("signing") or {}
    wanted = [("keystore", signing.get("keystore_id"))]
    wanted += [("fingerprint", value) for value in signing.get("fingerprint_ids") or []]
    for kind, identifier in wanted:
        if not identifier:
            continue
        model = MODELS[kind]
        if not model.unscoped.filter(organization_id=organization_id, pk=identifier).exists():
            raise OverrideInvalid(
                f"signing: the {kind} {identifier} does not exist in this organization",
                code="trust_material_not_found",
            )


def _signing_plan(organization_id: int, signing: dict, extra: dict) -> dict:
    fingerprints = []
    play = extra["google_play_fingerprint"]
    if signing["method"] == SIGN_PRIVATELY:
        for identifier in signing["fingerprints"]:
            row = MODELS["fingerprint"].unscoped.get(
                organization_id=organization_id, pk=identifier
            )
            fingerprints.append(_plain_hex(row.sha256))
            if row.play_signing_sha256 and not play:
                play = _plain_hex(row.play_signing_sha256)
        fingerprints += [value for value in extra["fingerprints"] if value not in fingerprints]
    return {
        "method": signing["method"],
        "keystore_id": signing["keystore"] if signing["method"] == SIGN_ON_FUSEBOX else None,
        "fingerprints": fingerprints,
        "google_play_fingerprint": play if signing["method"] == SIGN_PRIVATELY else "",
    }


def _plain_hex(value: str) -> str:
    return value.replace(":", "").lower()


def _hex(value: object, path: str) -> str:
    text = sha256_hex(value)
    if text is None:
        raise OverrideInvalid(
            f"{path}: a SHA-256 fingerprint is 64 hex digits, with or without colons"
        )
    return text


def _checked(function, value, path, *args):
    from fusionsets.errors import FusionSetError

    try:
        return function(value, path, *args)
    except FusionSetError as error:
        raise OverrideInvalid(f"{error.field or path}: {error.message}") from None


def _object(value: object, path: str) -> dict:
    if not isinstance(value, dict):
        raise OverrideInvalid(f"{path} must be an object")
    return value


def _list(given: dict, key: str) -> list:
    value = given.get(key) or []
    if not isinstance(value, list):
        raise OverrideInvalid(f"signing.{key} must be a list")
    return value


def _refuse_unknown(given: dict, allowed: set[str], path: str) -> None:
    unknown = sorted(set(given) - allowed)
    if unknown:
        raise OverrideInvalid(
            f"{path}.{unknown[0]} cannot be overridden per build; allowed in {path}: "
            f"{', '.join(sorted(allowed))}",
            code="override_not_allowed",
        )
