"""Decrypted trust material for the worker at fusion time: the only place secrets are opened.

Tasks receive ids, never secrets; the worker opens the organization scope, calls these and
drops the result when the step ends. Expired material is refused with `material_expired`.
"""

import logging
from dataclasses import dataclass

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.serialization import pkcs12

from trust.errors import TrustError
from trust.models import ClientIdentity, SigningKeystore

logger = logging.getLogger(__name__)


@dataclass(frozen=True, repr=False)
class FusionIdentity:
    """A client identity ready to embed: unencrypted PKCS#8 DER key and PEM certificates."""

    private_key_der: bytes
    certificate_pem: bytes
    sha256: str

    def __repr__(self) -> str:
        return f"FusionIdentity(sha256={self.sha256})"

    def to_pkcs12(self, password: bytes, friendly_name: bytes = b"fusebox-identity") -> bytes:
        """The identity as an AES-256 PKCS#12 (the format Android's KeyStore imports)."""
        from cryptography import x509

        certificates = x509.load_pem_x509_certificates(self.certificate_pem)
        key = serialization.load_der_private_key(self.private_key_der, None)
        encryption = (
            serialization.PrivateFormat.PKCS12.encryption_builder()
            .kdf_rounds(50000)
            .key_cert_algorithm(pkcs12.PBES.PBESv2SHA256AndAES256CBC)
            .hmac_hash(hashes.SHA256())
            .build(password)
        )
        return pkcs12.serialize_key_and_certificates(
            friendly_name, key, certificates[0], certificates[1:] or None, encryption
        )


@dataclass(frozen=True, repr=False)
class FusionSigner:
    """A signing keystore as uploaded, with its alias and passwords, for apksigner."""

    keystore: bytes
    alias: str
    store_password: str
    key_password: str
    sha256: str

    def __repr__(self) -> str:
        return f"FusionSigner(alias={self.alias!r}, sha256={self.sha256})"


def refuse_expired(item) -> None:
    """Raise `material_expired` for an expired CA, identity or keystore (build start checks)."""
    if item.is_expired:
        raise TrustError(
            "material_expired",
            f"'{item.name}' expired on {item.not_after:%Y-%m-%d}; upload a renewed one and "
            "choose it in the Fusion Set.",
        )


def load_identity_for_fusion(identity_id) -> FusionIdentity:
    """Open the sealed key of a client identity (inside the organization's scope)."""
    identity = ClientIdentity.objects.get(pk=identity_id)
    refuse_expired(identity)

    logger.info("opening client identity %s (%s) for fusion", identity.pk, identity.sha256)
    return FusionIdentity(
        private_key_der=identity.open_field("private_key_sealed"),
        certificate_pem=identity.certificate_pem.encode(),
        sha256=identity.sha256,
    )


def load_signer_for_fusion(keystore_id) -> FusionSigner:
    """Open a sealed signing keystore and its passwords (inside the organization's scope)."""
    keystore = SigningKeystore.objects.get(pk=keystore_id)
    refuse_expired(keystore)

    logger.info("opening signing keystore %s (%s) for fusion", keystore.pk, keystore.sha256)
    return FusionSigner(
        keystore=keystore.open_field("keystore_sealed"),
        alias=keystore.alias,
        store_password=keystore.open_field("store_password_sealed").decode(),
        key_password=keystore.open_field("key_password_sealed").decode(),
        sha256=keystore.sha256,
    )
