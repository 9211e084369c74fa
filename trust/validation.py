"""Validation of uploaded trust material: CA certificates, client identities, signing keys.

Pure functions over bytes (no Django): each returns what it parsed or raises `TrustError`
with a stable code and a message saying what to fix. Passwords are never put in a message.
"""

import datetime
import itertools
import logging
import warnings
from dataclasses import dataclass, field

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs7
from cryptography.x509.verification import (
    Criticality,
    ExtensionPolicy,
    PolicyBuilder,
    Store,
    VerificationError,
)

from trust.certificates import (
    CertificateFacts,
    allows_client_auth,
    check_ca,
    check_certificate,
    check_key_strength,
    check_signature_hash,
    facts_of,
    is_ca,
    short_name,
)
from trust.errors import TrustError
from trust.signing import (
    SigningKeystoreUpload,
    parse_sha256_fingerprint,
    validate_signing_keystore,
)
from trust.uploads import (
    MAX_P12_BYTES,
    PEM_MARKER,
    check_key_matches,
    check_size,
    load_p12,
    utc_now,
)

__all__ = [
    "MAX_CA_CERTIFICATES",
    "MAX_CA_UPLOAD_BYTES",
    "MAX_P12_BYTES",
    "PEM_MARKER",
    "CAUpload",
    "ClientIdentityUpload",
    "SigningKeystoreUpload",
    "parse_certificates",
    "parse_sha256_fingerprint",
    "utc_now",
    "validate_ca_upload",
    "validate_client_identity",
    "validate_signing_keystore",
]

logger = logging.getLogger(__name__)

MAX_CA_UPLOAD_BYTES = 256 * 1024
MAX_CA_CERTIFICATES = 10


@dataclass(frozen=True)
class CAUpload:
    """A validated CA upload: the certificates in chain order (first one is the primary)."""

    certificates: list[x509.Certificate]

    @property
    def primary(self) -> x509.Certificate:
        return self.certificates[0]

    @property
    def facts(self) -> list[CertificateFacts]:
        return [facts_of(certificate) for certificate in self.certificates]

    def pem(self) -> bytes:
        return b"".join(c.public_bytes(serialization.Encoding.PEM) for c in self.certificates)


@dataclass(frozen=True)
class ClientIdentityUpload:
    """A validated client identity: the private key, its certificate and the chain to a CA."""

    private_key: object
    certificate: x509.Certificate
    chain: list[x509.Certificate]
    anchor: x509.Certificate | None
    legacy_algorithms: list[str] = field(default_factory=list)

    @property
    def facts(self) -> CertificateFacts:
        return facts_of(self.certificate)


def _refuse_private_key(data: bytes) -> None:
    if b"PRIVATE KEY-----" in data:
        raise TrustError(
            "pem_private_key_given",
            "The file holds a private key. Upload only the CA certificate (the "
            "'BEGIN CERTIFICATE' block); keep the private key to yourself.",
        )
    try:
        serialization.load_der_private_key(data, password=None)
    except TypeError:
        raise TrustError(
            "pem_private_key_given",
            "The file is an encrypted private key. Upload the CA certificate instead.",
        ) from None
    except (ValueError, UnsupportedAlgorithm):
        return
    raise TrustError(
        "pem_private_key_given",
        "The file is a DER private key. Upload the CA certificate instead.",
    )


def parse_certificates(data: bytes) -> list[x509.Certificate]:
    """Read PEM (one or a bundle) or DER; refuse private keys and anything unreadable."""
    check_size(data, MAX_CA_UPLOAD_BYTES, "certificate")
    _refuse_private_key(data)

    if b"-----BEGIN PKCS7-----" in data:
        return _pkcs7_certificates(data, pkcs7.load_pem_pkcs7_certificates)
    if PEM_MARKER in data:
        if data.count(b"-----BEGIN CERTIFICATE-----") > MAX_CA_CERTIFICATES:
            raise TrustError(
                "too_many_certificates",
                f"The bundle holds more than {MAX_CA_CERTIFICATES} certificates. Upload the "
                "CA chain only (the issuing CA first, then its issuers).",
            )
        try:
            return x509.load_pem_x509_certificates(data)
        except ValueError:
            raise TrustError(
                "cert_malformed",
                "The PEM file could not be read as X.509 certificates; it may be truncated "
                "or hold another kind of PEM block. Export the CA certificate again.",
            ) from None

    try:
        return [x509.load_der_x509_certificate(data)]
    except ValueError:
        pass
    try:
        return _pkcs7_certificates(data, pkcs7.load_der_pkcs7_certificates)
    except TrustError:
        raise TrustError(
            "cert_malformed",
            "The file is neither a PEM nor a DER X.509 certificate (it may be truncated). "
            "Export the CA certificate as PEM or DER.",
        ) from None


def _pkcs7_certificates(data: bytes, loader) -> list[x509.Certificate]:
    """A .p7b bundle as Windows and some CAs export it; order it like a PEM bundle."""
    try:
        with warnings.catch_warnings():
            # openssl crl2pkcs7 writes the certificate SET unsorted (BER); that is expected.
            warnings.simplefilter("ignore", UserWarning)
            certificates = loader(data)
    except (ValueError, UnsupportedAlgorithm):
        raise TrustError(
            "cert_malformed", "The PKCS#7 bundle could not be read; export it as PEM instead."
        ) from None
    if len(certificates) > MAX_CA_CERTIFICATES:
        raise TrustError(
            "too_many_certificates",
            f"The bundle holds {len(certificates)} certificates; the limit is "
            f"{MAX_CA_CERTIFICATES}. Upload the CA chain only.",
        )
    return _chain_order(certificates)


def _chain_order(certificates: list[x509.Certificate]) -> list[x509.Certificate]:
    """PKCS#7 keeps no order: start from the certificate that issued no other one."""
    issuers = {c.issuer for c in certificates if c.issuer != c.subject}
    ordered = [c for c in certificates if c.subject not in issuers][:1] or certificates[:1]
    remaining = [c for c in certificates if c is not ordered[0]]
    while remaining:
        parent = next((c for c in remaining if c.subject == ordered[-1].issuer), None)
        if parent is None:
            ordered.extend(remaining)
            break
        ordered.append(parent)
        remaining.remove(parent)
    return ordered


def validate_ca_upload(data: bytes, now: datetime.datetime | None = None) -> CAUpload:
    """Check a CA upload (PEM, DER or PEM bundle) the way a PKI engineer would."""
    now = now or utc_now()
    certificates = parse_certificates(data)

    for certificate in certificates:
        check_ca(certificate)
        check_certificate(certificate, now)

    for child, parent in itertools.pairwise(certificates):
        _check_issued_by(child, parent)
    return CAUpload(certificates)


def _check_issued_by(child: x509.Certificate, parent: x509.Certificate) -> None:
    try:
        child.verify_directly_issued_by(parent)
    except (ValueError, TypeError, InvalidSignature) as error:
        logger.info("CA bundle out of order: %s", type(error).__name__)
        raise TrustError(
            "chain_out_of_order",
            f"In the bundle, {short_name(child)} is not issued by the certificate after it, "
            f"{short_name(parent)}. Order the bundle from the issuing CA up to the root.",
        ) from None


def _client_policy_builder(anchors: list[x509.Certificate], now: datetime.datetime):
    """Web PKI rules for CAs, but a client certificate may lack a subjectAltName."""
    ee_policy = ExtensionPolicy.webpki_defaults_ee().may_be_present(
        x509.SubjectAlternativeName, Criticality.AGNOSTIC, None
    )
    return (
        PolicyBuilder()
        .store(Store(anchors))
        .time(now)
        .extension_policies(ca_policy=ExtensionPolicy.webpki_defaults_ca(), ee_policy=ee_policy)
    )


def validate_client_identity(
    data: bytes,
    password: str,
    ca_certificates: list[x509.Certificate],
    now: datetime.datetime | None = None,
) -> ClientIdentityUpload:
    """Check a PKCS#12 client identity and that it chains to one of the given CAs."""
    now = now or utc_now()
    check_size(data, MAX_P12_BYTES, "identity")
    loaded, structure = load_p12(data, password, "p12_bad_password", "identity file")

    if loaded.key is None:
        raise TrustError(
            "p12_no_key",
            "The PKCS#12 holds no private key, only certificates. Export the identity with "
            "its private key.",
        )
    if len(structure.key_bags) > 1:
        raise TrustError(
            "p12_several_keys",
            f"The PKCS#12 holds {len(structure.key_bags)} private keys; a client identity "
            "has exactly one. Export the one identity the app should present.",
        )
    if loaded.cert is None:
        # OpenSSL pairs a key with a certificate only when they match; an unpaired leaf
        # certificate among the extras means the file holds someone else's certificate.
        leaves = [e.certificate for e in loaded.additional_certs if not is_ca(e.certificate)]
        if leaves:
            check_key_matches(loaded.key, leaves[0])
        raise TrustError(
            "p12_no_certificate",
            "The PKCS#12 holds a private key without its certificate. Export the key "
            "together with its certificate.",
        )

    certificate = loaded.cert.certificate
    chain = [extra.certificate for extra in loaded.additional_certs]
    check_key_matches(loaded.key, certificate)
    check_key_strength(certificate.public_key(), short_name(certificate))
    check_certificate(certificate, now)
    for extra in chain:
        check_signature_hash(extra)

    if certificate.version != x509.Version.v3:
        raise TrustError(
            "cert_not_x509v3",
            f"{short_name(certificate)} is an X.509 v1 certificate without extensions, which "
            "TLS stacks refuse. Re-issue it as v3 with an extensions file, e.g. `openssl x509 "
            "-req ... -extfile client.ext` holding `extendedKeyUsage=clientAuth`.",
        )
    if not allows_client_auth(certificate):
        raise TrustError(
            "missing_client_auth",
            f"{short_name(certificate)} has an extendedKeyUsage without clientAuth, so "
            "servers will refuse it for mTLS. Issue it with EKU clientAuth.",
        )

    anchor = _verify_chain(certificate, chain, ca_certificates, now)
    return ClientIdentityUpload(
        loaded.key, certificate, chain, anchor, structure.legacy_algorithms
    )


def _verify_chain(certificate, chain, ca_certificates, now) -> x509.Certificate:
    if not ca_certificates:
        raise TrustError(
            "no_ca_certificates",
            "Upload the CA certificate that issued this identity first; Fusebox checks every "
            "identity against a CA of your organization.",
        )

    verifier = _client_policy_builder(list(ca_certificates), now).build_client_verifier()
    try:
        verified = verifier.verify(certificate, chain)
    except VerificationError as error:
        logger.info("client identity does not chain: %s", error)
        raise TrustError(
            "p12_not_issued_by_ca",
            f"{short_name(certificate)} (issuer '{certificate.issuer.rfc4514_string()}') does "
            "not chain to any CA certificate of this organization "
            f"({_verifier_reason(error)}). Upload its CA first, or choose the right identity.",
        ) from None
    return verified.chain[-1]


def _verifier_reason(error: VerificationError) -> str:
    text = str(error)
    return text if len(text) < 160 else text[:157] + "..."
