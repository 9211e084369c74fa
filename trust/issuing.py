"""Issue a new client identity from a CA whose private key the security team uploaded.

The key pair is generated here, so a rotated identity never travels outside Fusebox before
it is sealed. The certificate is a plain mTLS client certificate: cA false, digitalSignature,
EKU clientAuth, signed with SHA-256 (SHA-384 for a P-384 CA).
"""

import datetime
import secrets
from dataclasses import dataclass

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from trust.certificates import check_ca, check_certificate, short_name
from trust.errors import TrustError
from trust.validation import PEM_MARKER, utc_now

KEY_CHOICES = {
    "ec-p256": "EC P-256",
    "ec-p384": "EC P-384",
    "rsa-2048": "RSA 2048",
    "rsa-3072": "RSA 3072",
}
MAX_VALIDITY_DAYS = 825
BACKDATE = datetime.timedelta(minutes=5)


@dataclass(frozen=True)
class IssuedIdentity:
    private_key: object
    certificate: x509.Certificate
    chain: list[x509.Certificate]


def load_ca_private_key(data: bytes, password: str = ""):
    """Read a CA private key in PEM or DER (PKCS#1, SEC1 or PKCS#8, encrypted or not)."""
    secret = password.encode() or None
    loader = (
        serialization.load_pem_private_key
        if PEM_MARKER in data
        else serialization.load_der_private_key
    )
    try:
        return loader(data, password=secret)
    except TypeError:
        message = "The CA private key is encrypted: enter its password."
        if secret is not None:
            message = "The CA private key is not encrypted: leave the password empty."
        raise TrustError("ca_key_malformed", message) from None
    except (ValueError, UnsupportedAlgorithm):
        raise TrustError(
            "ca_key_malformed",
            "The CA private key could not be read: the password is wrong or the file is not "
            "a PEM/DER private key.",
        ) from None


def check_ca_key_matches(ca_certificate: x509.Certificate, ca_key) -> None:
    spki = serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    if ca_key.public_key().public_bytes(*spki) != ca_certificate.public_key().public_bytes(*spki):
        raise TrustError(
            "ca_key_mismatch",
            f"The private key does not belong to the CA {short_name(ca_certificate)}. Upload "
            "the key of this CA.",
        )


def _generate_key(key_choice: str):
    if key_choice == "ec-p256":
        return ec.generate_private_key(ec.SECP256R1())
    if key_choice == "ec-p384":
        return ec.generate_private_key(ec.SECP384R1())
    if key_choice in ("rsa-2048", "rsa-3072"):
        return rsa.generate_private_key(public_exponent=65537, key_size=int(key_choice[4:]))
    raise TrustError(
        "issue_invalid_request",
        f"Unknown key type {key_choice!r}; choose one of {', '.join(KEY_CHOICES)}.",
    )


def issue_client_identity(
    ca_certificate: x509.Certificate,
    ca_key,
    common_name: str,
    validity_days: int,
    key_choice: str = "ec-p256",
    organization_name: str = "",
    now: datetime.datetime | None = None,
) -> IssuedIdentity:
    """Generate a key and a clientAuth certificate signed by the CA; never outlive the CA."""
    now = now or utc_now()
    check_ca(ca_certificate)
    check_certificate(ca_certificate, now)
    check_ca_key_matches(ca_certificate, ca_key)

    common_name = (common_name or "").strip()
    if not common_name or len(common_name) > 64:
        raise TrustError("issue_invalid_request", "Enter a common name of 1 to 64 characters.")
    if not 1 <= validity_days <= MAX_VALIDITY_DAYS:
        raise TrustError(
            "issue_invalid_request",
            f"Choose a validity between 1 and {MAX_VALIDITY_DAYS} days.",
        )

    private_key = _generate_key(key_choice)
    not_after = min(
        now + datetime.timedelta(days=validity_days), ca_certificate.not_valid_after_utc
    )
    attributes = [x509.NameAttribute(NameOID.COMMON_NAME, common_name)]
    if organization_name.strip():
        attributes.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization_name[:64]))

    ca_public = ca_certificate.public_key()
    is_rsa = isinstance(private_key, rsa.RSAPrivateKey)
    builder = (
        x509.CertificateBuilder()
        .subject_name(x509.Name(attributes))
        .issuer_name(ca_certificate.subject)
        .public_key(private_key.public_key())
        .serial_number(int.from_bytes(secrets.token_bytes(16), "big") >> 1)
        .not_valid_before(now - BACKDATE)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=is_rsa,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
        .add_extension(
            x509.SubjectKeyIdentifier.from_public_key(private_key.public_key()), critical=False
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_public), critical=False
        )
    )
    digest = (
        hashes.SHA384()
        if getattr(ca_public, "key_size", 0) >= 384
        and isinstance(ca_public, ec.EllipticCurvePublicKey)
        else hashes.SHA256()
    )
    certificate = builder.sign(ca_key, digest)
    return IssuedIdentity(private_key, certificate, [ca_certificate])
