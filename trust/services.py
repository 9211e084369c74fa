"""Create, replace, issue and delete trust material; the console and the API both call these.

Each function validates with `trust.validation`, seals every secret with the vault before the
row is written, and records an audit event with public facts only. They run inside the
organization scope of the request.
"""

import logging

from cryptography.hazmat.primitives import serialization
from django.db import IntegrityError, transaction

from console.audit import record_event
from console.tenancy import current_organization
from trust import validation
from trust.certificates import facts_of
from trust.errors import TrustError
from trust.issuing import check_ca_key_matches, issue_client_identity, load_ca_private_key
from trust.models import CACertificate, ClientIdentity, SigningFingerprint, SigningKeystore
from trust.usage import usage_of

logger = logging.getLogger(__name__)


def _pkcs8(private_key) -> bytes:
    return private_key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _pem(*certificates) -> str:
    return b"".join(c.public_bytes(serialization.Encoding.PEM) for c in certificates).decode()


def _save_new(item, what: str) -> None:
    try:
        with transaction.atomic():
            item.save()
    except IntegrityError:
        raise TrustError(
            "already_uploaded",
            f"This organization already holds this {what} (SHA-256 {item.sha256[:23]}...).",
        ) from None


def _audit(action: str, item, actor, request, **extra) -> None:
    record_event(
        current_organization(),
        action,
        actor=actor,
        request=request,
        target=item,
        changes={**item.audit_summary(), **extra},
    )


def create_ca(
    name: str,
    data: bytes,
    *,
    private_key: bytes | None = None,
    private_key_password: str = "",
    actor=None,
    request=None,
) -> CACertificate:
    """Validate and store a CA (optionally with its private key, sealed, for issuing)."""
    upload = validation.validate_ca_upload(data)
    ca = CACertificate(organization=current_organization(), name=name.strip() or "CA")
    ca.fill_facts(upload.facts[0])
    ca.chain = [facts.as_json() for facts in upload.facts]
    ca.certificate_pem = upload.pem().decode()

    if private_key:
        key = load_ca_private_key(private_key, private_key_password)
        check_ca_key_matches(upload.primary, key)
        ca.seal_field("private_key_sealed", _pkcs8(key))

    _save_new(ca, "CA certificate")
    _audit("ca.created", ca, actor, request, can_issue=ca.can_issue)
    logger.info("CA %s (%s) added to organization %s", ca.pk, ca.sha256, ca.organization_id)
    return ca


def _organization_cas(only=None) -> list[tuple[CACertificate, object]]:
    cas = [only] if only is not None else list(CACertificate.objects.all())
    return [(ca, certificate) for ca in cas for certificate in ca.certificates()]


def _identity_from_upload(identity: ClientIdentity, data: bytes, password: str, ca=None):
    pairs = _organization_cas(ca)
    upload = validation.validate_client_identity(data, password, [c for _ca, c in pairs])
    identity.ca = next(ca for ca, certificate in pairs if certificate == upload.anchor)
    identity.fill_facts(upload.facts)
    identity.certificate_pem = _pem(upload.certificate, *upload.chain)
    identity.legacy_encryption = ", ".join(upload.legacy_algorithms)
    identity.seal_field("private_key_sealed", _pkcs8(upload.private_key))


def create_identity(
    name: str, data: bytes, password: str, *, ca=None, actor=None, request=None
) -> ClientIdentity:
    """Validate a PKCS#12 identity against the chosen CA (or any of the organization's)."""
    identity = ClientIdentity(
        organization=current_organization(), name=name.strip() or "Identity", origin="uploaded"
    )
    _identity_from_upload(identity, data, password, ca)
    _save_new(identity, "client identity")
    _audit("identity.created", identity, actor, request, ca=identity.ca.sha256)
    return identity


def replace_identity(
    identity: ClientIdentity, data: bytes, password: str, *, actor=None, request=None
) -> ClientIdentity:
    """Put a renewed certificate and key in place; Fusion Sets keep pointing at the same row."""
    previous = identity.sha256
    _identity_from_upload(identity, data, password)
    identity.origin = ClientIdentity.UPLOADED
    try:
        with transaction.atomic():
            identity.save()
    except IntegrityError:
        raise TrustError(
            "already_uploaded", "Another identity already holds this certificate."
        ) from None
    _audit("identity.replaced", identity, actor, request, previous_sha256=previous)
    return identity


def issue_identity(
    ca: CACertificate,
    name: str,
    common_name: str,
    validity_days: int,
    key_choice: str = "ec-p256",
    *,
    actor=None,
    request=None,
) -> ClientIdentity:
    """Generate a key and a client certificate signed by the CA's sealed private key."""
    if not ca.can_issue:
        raise TrustError(
            "ca_cannot_issue",
            f"No private key was uploaded for the CA '{ca.name}'; upload the CA again with "
            "its private key to issue identities from it.",
        )

    ca_key = serialization.load_der_private_key(ca.open_field("private_key_sealed"), None)
    issued = issue_client_identity(
        ca.certificates()[0],
        ca_key,
        common_name,
        validity_days,
        key_choice,
        organization_name=current_organization().name,
    )
    identity = ClientIdentity(
        organization=current_organization(),
        name=name.strip() or common_name,
        origin=ClientIdentity.ISSUED,
        ca=ca,
    )
    identity.fill_facts(facts_of(issued.certificate))
    identity.certificate_pem = _pem(issued.certificate, *ca.certificates())
    identity.seal_field("private_key_sealed", _pkcs8(issued.private_key))
    _save_new(identity, "client identity")
    _audit("identity.issued", identity, actor, request, ca=ca.sha256, key_type=key_choice)
    return identity


def create_keystore(
    name: str,
    data: bytes,
    alias: str,
    store_password: str,
    key_password: str = "",
    *,
    actor=None,
    request=None,
) -> SigningKeystore:
    """Validate a PKCS#12 signing keystore and seal it with both passwords."""
    upload = validation.validate_signing_keystore(data, alias, store_password, key_password)
    keystore = SigningKeystore(
        organization=current_organization(), name=name.strip() or alias, alias=upload.alias
    )
    keystore.fill_facts(upload.facts)
    keystore.certificate_pem = _pem(upload.certificate, *upload.chain)
    keystore.seal_field("keystore_sealed", data)
    keystore.seal_field("store_password_sealed", store_password.encode())
    keystore.seal_field("key_password_sealed", (key_password or store_password).encode())
    _save_new(keystore, "signing keystore")
    _audit("keystore.created", keystore, actor, request, alias=keystore.alias)
    return keystore


def create_fingerprint(
    name: str, sha256: str, play_signing_sha256: str = "", *, actor=None, request=None
) -> SigningFingerprint:
    fingerprint = SigningFingerprint(
        organization=current_organization(),
        name=name.strip() or "Signing certificate",
        sha256=validation.parse_sha256_fingerprint(sha256, "signing fingerprint"),
        play_signing_sha256=(
            validation.parse_sha256_fingerprint(play_signing_sha256, "Google Play fingerprint")
            if (play_signing_sha256 or "").strip()
            else ""
        ),
    )
    _save_new(fingerprint, "signing fingerprint")
    _audit("fingerprint.created", fingerprint, actor, request)
    return fingerprint


DELETE_ACTIONS = {
    CACertificate: "ca.deleted",
    ClientIdentity: "identity.deleted",
    SigningKeystore: "keystore.deleted",
    SigningFingerprint: "fingerprint.deleted",
}


def delete_material(item, *, actor=None, request=None) -> None:
    """Delete unless something uses it; the audit event keeps the fingerprints."""
    users = usage_of(item)
    if users:
        raise TrustError(
            "material_in_use",
            f"'{item.name}' is used by {', '.join(users)}. Point those at other material "
            "first, then delete it.",
        )

    summary = item.audit_summary()
    _audit(DELETE_ACTIONS[type(item)], item, actor, request)
    item.delete()
    logger.info("%s %s deleted (%s)", type(item).__name__, summary["name"], summary["sha256"])
