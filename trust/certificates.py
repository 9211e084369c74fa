"""Facts about an X.509 certificate and the strength checks every uploaded certificate passes.

The facts are public (subject, serial, fingerprints...) and are stored in clear so the console
can show them without decrypting anything.
"""

import datetime
from dataclasses import asdict, dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID

from trust.errors import TrustError

MIN_RSA_BITS = 2048
ALLOWED_CURVES = {"secp256r1": "P-256", "secp384r1": "P-384"}
WEAK_HASHES = {"md5", "sha1"}


@dataclass(frozen=True)
class CertificateFacts:
    """What the console shows about a certificate; nothing here is secret."""

    subject: str
    issuer: str
    serial: str
    not_before: datetime.datetime
    not_after: datetime.datetime
    key_type: str
    key_size: int
    sha256: str
    sha1: str
    signature_hash: str
    is_ca: bool
    extensions: tuple[str, ...]

    def as_json(self) -> dict:
        data = asdict(self)
        data["not_before"] = self.not_before.isoformat()
        data["not_after"] = self.not_after.isoformat()
        data["extensions"] = list(self.extensions)
        return data


def colon_hex(raw: bytes) -> str:
    return ":".join(f"{byte:02X}" for byte in raw)


def describe_key(public_key) -> tuple[str, int]:
    """Return ("RSA", bits) or ("EC P-256", bits); other key types are named as they are."""
    if isinstance(public_key, rsa.RSAPublicKey):
        return "RSA", public_key.key_size
    if isinstance(public_key, ec.EllipticCurvePublicKey):
        curve = ALLOWED_CURVES.get(public_key.curve.name, public_key.curve.name)
        return f"EC {curve}", public_key.curve.key_size
    return type(public_key).__name__.replace("PublicKey", ""), 0


def signature_hash_name(certificate: x509.Certificate) -> str:
    algorithm = certificate.signature_hash_algorithm
    return algorithm.name if algorithm is not None else "none"


def summarize_extensions(certificate: x509.Certificate) -> tuple[str, ...]:
    """One readable line per extension, for the detail page."""
    lines = []
    for extension in certificate.extensions:
        name = getattr(extension.oid, "_name", None) or extension.oid.dotted_string
        value = extension.value
        if isinstance(value, x509.BasicConstraints):
            detail = f"cA={value.ca}" + (
                f", pathLen={value.path_length}" if value.path_length is not None else ""
            )
        elif isinstance(value, x509.KeyUsage):
            detail = ", ".join(_key_usages(value))
        elif isinstance(value, x509.ExtendedKeyUsage):
            detail = ", ".join(getattr(oid, "_name", oid.dotted_string) for oid in value)
        elif isinstance(value, x509.SubjectAlternativeName):
            detail = ", ".join(str(name.value) for name in value)
        else:
            detail = ""
        critical = " (critical)" if extension.critical else ""
        lines.append(f"{name}{critical}" + (f": {detail}" if detail else ""))
    return tuple(lines)


def _key_usages(usage: x509.KeyUsage) -> list[str]:
    names = [
        "digital_signature",
        "content_commitment",
        "key_encipherment",
        "data_encipherment",
        "key_agreement",
        "key_cert_sign",
        "crl_sign",
    ]
    found = [name for name in names if getattr(usage, name)]
    if usage.key_agreement:
        found += [n for n in ("encipher_only", "decipher_only") if getattr(usage, n)]
    return found


def facts_of(certificate: x509.Certificate) -> CertificateFacts:
    key_type, key_size = describe_key(certificate.public_key())
    return CertificateFacts(
        subject=certificate.subject.rfc4514_string(),
        issuer=certificate.issuer.rfc4514_string(),
        serial=f"{certificate.serial_number:X}",
        not_before=certificate.not_valid_before_utc,
        not_after=certificate.not_valid_after_utc,
        key_type=key_type,
        key_size=key_size,
        sha256=colon_hex(certificate.fingerprint(hashes.SHA256())),
        sha1=colon_hex(certificate.fingerprint(hashes.SHA1())),  # noqa: S303 - display only
        signature_hash=signature_hash_name(certificate),
        is_ca=is_ca(certificate),
        extensions=summarize_extensions(certificate),
    )


def short_name(certificate: x509.Certificate) -> str:
    """Subject plus the start of the SHA-256 fingerprint, to name a certificate in a message."""
    digest = colon_hex(certificate.fingerprint(hashes.SHA256()))[:23]
    return f"'{certificate.subject.rfc4514_string() or '(empty subject)'}' ({digest}...)"


def is_ca(certificate: x509.Certificate) -> bool:
    try:
        constraints = certificate.extensions.get_extension_for_class(x509.BasicConstraints)
    except x509.ExtensionNotFound:
        return False
    if not constraints.value.ca:
        return False

    try:
        usage = certificate.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        return False
    return usage.key_cert_sign


def check_ca(certificate: x509.Certificate) -> None:
    if not is_ca(certificate):
        raise TrustError(
            "not_a_ca",
            f"{short_name(certificate)} is not a CA certificate: it needs basicConstraints "
            "cA=TRUE and keyUsage keyCertSign. Upload the certificate of the CA that issues "
            "your client certificates, not a client or server certificate.",
        )


def check_validity(certificate: x509.Certificate, now: datetime.datetime) -> None:
    if certificate.not_valid_after_utc < now:
        raise TrustError(
            "cert_expired",
            f"{short_name(certificate)} expired on "
            f"{certificate.not_valid_after_utc:%Y-%m-%d %H:%M} UTC. Upload a renewed "
            "certificate.",
        )
    if certificate.not_valid_before_utc > now:
        raise TrustError(
            "cert_not_yet_valid",
            f"{short_name(certificate)} is not valid before "
            f"{certificate.not_valid_before_utc:%Y-%m-%d %H:%M} UTC. Upload it once it is "
            "valid, or check the issuing machine's clock.",
        )


def check_key_strength(public_key, label: str) -> None:
    if isinstance(public_key, rsa.RSAPublicKey):
        if public_key.key_size < MIN_RSA_BITS:
            raise TrustError(
                "weak_key",
                f"{label} has a {public_key.key_size}-bit RSA key; Fusebox needs RSA of at "
                f"least {MIN_RSA_BITS} bits or EC P-256/P-384. Issue a new key.",
            )
        return
    if isinstance(public_key, ec.EllipticCurvePublicKey):
        if public_key.curve.name not in ALLOWED_CURVES:
            raise TrustError(
                "weak_key",
                f"{label} uses the EC curve {public_key.curve.name}; Fusebox accepts P-256 "
                "and P-384 (the curves Android's TLS stack supports everywhere).",
            )
        return
    raise TrustError(
        "unsupported_key_type",
        f"{label} has a {describe_key(public_key)[0]} key; Fusebox accepts RSA (2048 bits or "
        "more) and EC P-256/P-384.",
    )


def check_signature_hash(certificate: x509.Certificate) -> None:
    """The X.509 verifier does not look at a trust anchor's own signature, so we do."""
    name = signature_hash_name(certificate)
    if name in WEAK_HASHES:
        raise TrustError(
            "weak_signature",
            f"{short_name(certificate)} is signed with {name.upper()}, which is broken for "
            "certificates. Re-issue it signed with SHA-256 or stronger.",
        )


def check_certificate(certificate: x509.Certificate, now: datetime.datetime) -> None:
    """The checks every certificate Fusebox keeps must pass, CA or client."""
    check_key_strength(certificate.public_key(), short_name(certificate))
    check_signature_hash(certificate)
    check_validity(certificate, now)


def allows_client_auth(certificate: x509.Certificate) -> bool:
    """True without an EKU extension (any use) or when the EKU lists clientAuth."""
    try:
        usages = certificate.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    except x509.ExtensionNotFound:
        return True
    return (
        ExtendedKeyUsageOID.CLIENT_AUTH in usages
        or ExtendedKeyUsageOID.ANY_EXTENDED_KEY_USAGE in usages
    )
