"""Reading uploaded files: size caps and PKCS#12 loading that tells a wrong password apart
from a damaged file, shared by identity and keystore validation."""

import datetime

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12

from trust.certificates import short_name
from trust.errors import TrustError
from trust.p12structure import StructureError, inspect_p12

MAX_P12_BYTES = 1024 * 1024
PEM_MARKER = b"-----BEGIN"
JKS_MAGIC = b"\xfe\xed\xfe\xed"
JCEKS_MAGIC = b"\xce\xce\xce\xce"
REEXPORT_ADVICE = (
    "re-export it with AES, for example `openssl pkcs12 -export -keypbe AES-256-CBC "
    "-certpbe AES-256-CBC -macalg sha256 -in cert.pem -inkey key.pem -out identity.p12`"
)


def utc_now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


def check_size(data: bytes, limit: int, what: str) -> None:
    if not data:
        raise TrustError("file_empty", f"The {what} file is empty. Choose the file again.")
    if len(data) > limit:
        raise TrustError(
            "file_too_large",
            f"The {what} file is {len(data)} bytes; the limit is {limit} bytes. "
            "Check that you chose the right file.",
        )


def load_p12(data: bytes, password: str, bad_password_code: str, what: str):
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


def check_key_matches(private_key, certificate: x509.Certificate) -> None:
    spki = serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    if private_key.public_key().public_bytes(*spki) != certificate.public_key().public_bytes(
        *spki
    ):
        raise TrustError(
            "p12_key_mismatch",
            f"The private key in the PKCS#12 does not belong to {short_name(certificate)}. "
            "Export the certificate together with its own key.",
        )
