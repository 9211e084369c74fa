"""Seal a client identity (PKCS#12) into the encrypted asset the runtime unseals.

The asset is AES-256-GCM over a plain DER payload (PKCS#8 key + certificate chain, never a
PKCS#12 or PEM structure). Its key is HKDF-SHA256 over a per-build secret split in two
halves (one in the runtime DEX, one in the asset), salted with the SHA-256 of the app's
signing certificate and bound to the package name, so a copy re-signed by anyone else, or
repackaged under another name, cannot decrypt it. The layout matches IdentityLoader.smali.
"""

import logging
import os
import struct
from dataclasses import dataclass, field
from datetime import datetime

from cryptography import x509
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.serialization import pkcs12

from workers.engine.errors import FusionError, RejectedInput, VerificationError

logger = logging.getLogger(__name__)

MAGIC = b"FBID\x01"
SECRET_HALF_SIZE = 32
NONCE_SIZE = 12
HEADER_SIZE = len(MAGIC) + SECRET_HALF_SIZE + NONCE_SIZE
HKDF_INFO_PREFIX = b"fusebox-identity-v1\x00"
MAX_P12_SIZE = 256 * 1024


@dataclass(frozen=True)
class IdentityMaterial:
    """A client identity in the form the runtime loads; the key never appears in repr."""

    private_key_der: bytes = field(repr=False)
    certificate_chain_der: tuple[bytes, ...]
    key_algorithm: str

    @property
    def certificate(self) -> x509.Certificate:
        return x509.load_der_x509_certificate(self.certificate_chain_der[0])

    @property
    def subject(self) -> str:
        return self.certificate.subject.rfc4514_string()

    @property
    def issuer(self) -> str:
        return self.certificate.issuer.rfc4514_string()

    @property
    def not_valid_before(self) -> datetime:
        return self.certificate.not_valid_before_utc

    @property
    def not_valid_after(self) -> datetime:
        return self.certificate.not_valid_after_utc


@dataclass(frozen=True)
class SealedIdentity:
    """The asset for the APK and the secret half that goes into the runtime DEX."""

    asset: bytes = field(repr=False)
    runtime_secret: bytes = field(repr=False)


def load_p12(p12: bytes, password: bytes | str) -> IdentityMaterial:
    """Read a PKCS#12 identity (openssl default or -legacy encryption) into DER material."""
    if isinstance(password, str):
        password = password.encode("utf-8")
    if len(p12) > MAX_P12_SIZE:
        raise RejectedInput(
            f"the client identity is larger than {MAX_P12_SIZE // 1024} KiB:"
            " export only the client key and its chain",
            "p12_too_large",
        )
    if not _looks_like_pkcs12(p12):
        raise RejectedInput(
            "the client identity is not a PKCS#12 file: export it with `openssl pkcs12 -export`",
            "p12_malformed",
        )

    try:
        key, certificate, extra = pkcs12.load_key_and_certificates(p12, password)
    except ValueError:
        raise RejectedInput(
            "the client identity cannot be opened with the password given:"
            " check the identity password file",
            "p12_bad_password",
        ) from None

    if key is None:
        raise RejectedInput("the client identity holds no private key", "p12_no_key")
    if certificate is None:
        raise RejectedInput("the client identity holds no certificate", "p12_no_certificate")
    if isinstance(key, rsa.RSAPrivateKey):
        algorithm = "RSA"
    elif isinstance(key, ec.EllipticCurvePrivateKey):
        algorithm = "EC"
    else:
        raise RejectedInput(
            "the client identity's key must be RSA or EC (Android's TLS supports these)",
            "p12_unsupported_key",
        )
    if _public_der(key.public_key()) != _public_der(certificate.public_key()):
        raise RejectedInput(
            "the client identity's private key does not match its certificate",
            "p12_key_mismatch",
        )

    key_der = key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    chain = (certificate, *(extra or ()))
    return IdentityMaterial(
        private_key_der=key_der,
        certificate_chain_der=tuple(c.public_bytes(serialization.Encoding.DER) for c in chain),
        key_algorithm=algorithm,
    )


def seal_identity(
    p12: bytes, password: bytes, *, signer_sha256: bytes, package: str
) -> SealedIdentity:
    """Seal a PKCS#12 identity for one app (signer and package) with a fresh build secret."""
    material = load_p12(p12, password)
    return seal_material(material, signer_sha256=signer_sha256, package=package)


def seal_material(
    material: IdentityMaterial,
    *,
    signer_sha256: bytes,
    package: str,
    runtime_secret: bytes | None = None,
) -> SealedIdentity:
    """Seal already-loaded material; ``runtime_secret`` is fresh unless a build reuses one."""
    _check_binding(signer_sha256, package)
    if runtime_secret is None:
        runtime_secret = os.urandom(SECRET_HALF_SIZE)
    if len(runtime_secret) != SECRET_HALF_SIZE:
        raise FusionError("the runtime secret half must be 32 bytes", "invalid_argument")

    asset_half = os.urandom(SECRET_HALF_SIZE)
    nonce = os.urandom(NONCE_SIZE)
    header = MAGIC + asset_half + nonce
    key = derive_key(runtime_secret, asset_half, signer_sha256, package)
    ciphertext = AESGCM(key).encrypt(nonce, _encode_material(material), header)

    logger.info("identity sealed for package %s", package)
    return SealedIdentity(asset=header + ciphertext, runtime_secret=runtime_secret)


def unseal_identity(
    asset: bytes, runtime_secret: bytes, signer_sha256: bytes, package: str
) -> IdentityMaterial:
    """Decrypt an identity asset as the runtime would for that signer and package."""
    _check_binding(signer_sha256, package)
    if len(asset) < HEADER_SIZE + 16 or not asset.startswith(MAGIC):
        raise VerificationError(
            "the identity asset is not a Fusebox sealed identity", "identity_asset_malformed"
        )

    asset_half = asset[len(MAGIC) : len(MAGIC) + SECRET_HALF_SIZE]
    nonce = asset[len(MAGIC) + SECRET_HALF_SIZE : HEADER_SIZE]
    key = derive_key(runtime_secret, asset_half, signer_sha256, package)
    try:
        plaintext = AESGCM(key).decrypt(nonce, asset[HEADER_SIZE:], asset[:HEADER_SIZE])
    except InvalidTag:
        raise VerificationError(
            "the identity does not decrypt for this signer and package"
            " (re-signed, repackaged or tampered app)",
            "identity_not_decryptable",
        ) from None
    return _decode_material(plaintext)


def derive_key(
    runtime_secret: bytes, asset_half: bytes, signer_sha256: bytes, package: str
) -> bytes:
    """HKDF-SHA256(ikm = both halves, salt = signer digest, info = label + package)."""
    hkdf = HKDF(
        algorithm=hashes.SHA256(),
        length=32,
        salt=signer_sha256,
        info=HKDF_INFO_PREFIX + package.encode("utf-8"),
    )
    return hkdf.derive(runtime_secret + asset_half)


def _encode_material(material: IdentityMaterial) -> bytes:
    """The DataInputStream layout IdentityLoader.keyManagersFrom reads."""
    algorithm = material.key_algorithm.encode("ascii")
    parts = [struct.pack(">H", len(algorithm)), algorithm]
    parts += [struct.pack(">I", len(material.private_key_der)), material.private_key_der]
    parts.append(struct.pack(">I", len(material.certificate_chain_der)))
    for der in material.certificate_chain_der:
        parts += [struct.pack(">I", len(der)), der]
    return b"".join(parts)


def _decode_material(plaintext: bytes) -> IdentityMaterial:
    try:
        (size,) = struct.unpack_from(">H", plaintext, 0)
        at = 2 + size
        algorithm = plaintext[2:at].decode("ascii")
        (size,) = struct.unpack_from(">I", plaintext, at)
        key_der = plaintext[at + 4 : at + 4 + size]
        at += 4 + size
        (count,) = struct.unpack_from(">I", plaintext, at)
        at += 4
        chain = []
        for _ in range(count):
            (size,) = struct.unpack_from(">I", plaintext, at)
            chain.append(plaintext[at + 4 : at + 4 + size])
            at += 4 + size
    except (struct.error, UnicodeDecodeError):
        raise VerificationError(
            "the identity asset's payload is malformed", "identity_asset_malformed"
        ) from None
    return IdentityMaterial(key_der, tuple(chain), algorithm)


def _check_binding(signer_sha256: bytes, package: str) -> None:
    if len(signer_sha256) != 32:
        raise FusionError(
            "the signer fingerprint must be a SHA-256 digest (32 bytes)", "invalid_argument"
        )
    if not package:
        raise FusionError("the package name is empty", "invalid_argument")


def _public_der(public_key) -> bytes:
    return public_key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def _looks_like_pkcs12(data: bytes) -> bool:
    """A PFX is a DER SEQUENCE whose first element is INTEGER 3 (RFC 7292)."""
    if len(data) < 8 or data[0] != 0x30:
        return False
    length_byte = data[1]
    at = 2
    if length_byte & 0x80:
        count = length_byte & 0x7F
        if not 1 <= count <= 4:
            return False
        at += count
    return data[at : at + 3] == b"\x02\x01\x03"
