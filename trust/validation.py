"""Validation of uploaded trust material: CA certificates, client identities, signing keys.

Pure functions over bytes (no Django): each returns what it parsed or raises `TrustError`
with a stable code and a message saying what to fix. Passwords are never put in a message.
"""

import datetime
import itertools
import logging
import re
from dataclasses import dataclass, field

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12
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
from trust.p12structure import StructureError, inspect_p12

logger = logging.getLogger(__name__)

MAX_CA_UPLOAD_BYTES = 256 * 1024
MAX_CA_CERTIFICATES = 10
MAX_P12_BYTES = 1024 * 1024
PEM_MARKER = b"-----BEGIN"
JKS_MAGIC = b"\xfe\xed\xfe\xed"
JCEKS_MAGIC = b"\xce\xce\xce\xce"
REEXPORT_ADVICE = (
    "re-export it with AES, for example `openssl pkcs12 -export -keypbe AES-256-CBC "
    "-certpbe AES-256-CBC -macalg sha256 -in cert.pem -inkey key.pem -out identity.p12`"
)


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


@dataclass(frozen=True)
class SigningKeystoreUpload:
    """A validated signing keystore entry; the keystore bytes are kept as uploaded."""

    alias: str
    aliases: list[str]
    private_key: object
    certificate: x509.Certificate
    chain: list[x509.Certificate]

    @property
    def facts(self) -> CertificateFacts:
        return facts_of(self.certificate)


def utc_now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


def _check_size(data: bytes, limit: int, what: str) -> None:
    if not data:
        raise TrustError("file_empty", f"The {what} file is empty. Choose the file again.")
    if len(data) > limit:
        raise TrustError(
            "file_too_large",
            f"The {what} file is {len(data)} bytes; the limit is {limit} bytes. "
            "Upload only the certificates Fusebox needs.",
        )


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
    _check_size(data, MAX_CA_UPLOAD_BYTES, "certificate")
    _refuse_private_key(data)

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
        raise TrustError(
            "cert_malformed",
            "The file is neither a PEM nor a DER X.509 certificate (it may be truncated). "
            "Export the CA certificate as PEM or DER.",
        ) from None


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


def _load_p12(data: bytes, password: str, bad_password_code: str, what: str):
    """Load a PKCS#12, telling a wrong password apart from a damaged file."""
    if data[:4] in (JKS_MAGIC, JCEKS_MAGIC):
        raise TrustError(
            "keystore_unsupported_format",
            f"The {what} is a Java JKS/JCEKS keystore. Convert it to PKCS#12: `keytool "
            "-importkeystore -srckeystore in.jks -destkeystore out.p12 -deststoretype "
            "PKCS12`.",
        )
    if PEM_MARKER in data[:100]:
        raise TrustError(
            "p12_malformed",
            f"The {what} is a PEM file, not PKCS#12. Bundle the key and certificate with "
            "`openssl pkcs12 -export -in cert.pem -inkey key.pem -out identity.p12`.",
        )

    try:
        structure = inspect_p12(data)
    except (StructureError, IndexError, ValueError):
        raise TrustError(
            "p12_malformed",
            f"The {what} is not a readable PKCS#12 file (it may be truncated or another "
            "format). Export it again as .p12/.pfx.",
        ) from None

    try:
        loaded = pkcs12.load_pkcs12(data, password.encode())
    except ValueError:
        legacy = structure.legacy_algorithms
        advice = (
            f" It also uses legacy encryption ({', '.join(legacy)}); if the password is "
            f"right, {REEXPORT_ADVICE}."
            if legacy
            else ""
        )
        raise TrustError(
            bad_password_code,
            f"The password does not open this {what}. Check the password.{advice}",
        ) from None
    except UnsupportedAlgorithm:
        raise TrustError(
            "p12_legacy_encryption",
            f"The {what} uses an encryption algorithm Fusebox cannot read; {REEXPORT_ADVICE}.",
        ) from None
    return loaded, structure


def validate_client_identity(
    data: bytes,
    password: str,
    ca_certificates: list[x509.Certificate],
    now: datetime.datetime | None = None,
) -> ClientIdentityUpload:
    """Check a PKCS#12 client identity and that it chains to one of the given CAs."""
    now = now or utc_now()
    _check_size(data, MAX_P12_BYTES, "identity")
    loaded, structure = _load_p12(data, password, "p12_bad_password", "identity file")

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
            _check_key_matches(loaded.key, leaves[0])
        raise TrustError(
            "p12_no_certificate",
            "The PKCS#12 holds a private key without its certificate. Export the key "
            "together with its certificate.",
        )

    certificate = loaded.cert.certificate
    chain = [extra.certificate for extra in loaded.additional_certs]
    _check_key_matches(loaded.key, certificate)
    check_key_strength(certificate.public_key(), short_name(certificate))
    check_certificate(certificate, now)
    for extra in chain:
        check_signature_hash(extra)

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


def _check_key_matches(private_key, certificate: x509.Certificate) -> None:
    spki = serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    if private_key.public_key().public_bytes(*spki) != certificate.public_key().public_bytes(
        *spki
    ):
        raise TrustError(
            "p12_key_mismatch",
            f"The private key in the PKCS#12 does not belong to {short_name(certificate)}. "
            "Export the certificate together with its own key.",
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


def validate_signing_keystore(
    data: bytes, alias: str, store_password: str, key_password: str = ""
) -> SigningKeystoreUpload:
    """Check a PKCS#12 keystore as keytool writes it: alias present, key decrypts."""
    _check_size(data, MAX_P12_BYTES, "keystore")
    loaded, structure = _load_p12(data, store_password, "keystore_bad_password", "keystore")

    aliases = structure.aliases
    bag = next((b for b in structure.key_bags if b.alias == alias), None)
    if bag is None:
        bag = next(
            (b for b in structure.key_bags if (b.alias or "").lower() == alias.lower()), None
        )
    if bag is None:
        known = ", ".join(repr(a) for a in aliases) or "none"
        raise TrustError(
            "keystore_alias_missing",
            f"The keystore has no key entry named {alias!r}; its key aliases are: {known}. "
            "Check the alias (`keytool -list -keystore release.p12`).",
        )

    private_key = _decrypt_key_bag(bag, key_password or store_password, loaded)
    certificate, chain = _certificate_for_alias(loaded, bag.alias)
    _check_key_matches(private_key, certificate)
    check_key_strength(certificate.public_key(), short_name(certificate))
    return SigningKeystoreUpload(bag.alias, aliases, private_key, certificate, chain)


def _decrypt_key_bag(bag, password: str, loaded):
    if bag.encrypted_der is None:
        return loaded.key
    try:
        return serialization.load_der_private_key(bag.encrypted_der, password.encode())
    except (ValueError, TypeError):
        raise TrustError(
            "keystore_bad_password",
            f"The key password does not decrypt the key {bag.alias!r}. Check the key "
            "password (for PKCS#12 made by keytool it equals the store password).",
        ) from None


def _certificate_for_alias(loaded, alias: str):
    entries = ([loaded.cert] if loaded.cert else []) + list(loaded.additional_certs)
    named = [e for e in entries if e.friendly_name and e.friendly_name.decode() == alias]
    if not named:
        raise TrustError(
            "p12_no_certificate",
            f"The keystore entry {alias!r} has no certificate. Re-create the key with keytool "
            "so it carries its certificate.",
        )
    others = [e.certificate for e in entries if e is not named[0] and e.friendly_name is None]
    return named[0].certificate, others


FINGERPRINT_PATTERN = re.compile(r"^[0-9a-fA-F]{64}$")


def parse_sha256_fingerprint(text: str, label: str = "fingerprint") -> str:
    """Normalise a SHA-256 fingerprint (hex, with or without colons) to 'AB:CD:...'."""
    compact = re.sub(r"[\s:]", "", text or "")
    if not FINGERPRINT_PATTERN.match(compact):
        raise TrustError(
            "fingerprint_invalid",
            f"The {label} must be a SHA-256 fingerprint: 64 hex digits, with or without "
            "colons (`keytool -list -v` or `apksigner verify --print-certs` show it).",
        )
    upper = compact.upper()
    return ":".join(upper[i : i + 2] for i in range(0, 64, 2))
