"""Load the release key that signs an APK from a PKCS#12 keystore or PEM files.

Only key types that every Android version since 7.0 verifies in v1, v2 and v3 are accepted
(RSA 2048-4096 bits, EC P-256 and P-384); anything else is refused before signing starts
so a build never ships an APK that some devices reject.
"""

import hashlib
import logging
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.serialization import pkcs12

from workers.engine.errors import SigningError

logger = logging.getLogger(__name__)

RSA_PKCS1_SHA256 = 0x0103
ECDSA_SHA256 = 0x0201
SUPPORTED_CURVES = (ec.SECP256R1, ec.SECP384R1)


@dataclass(frozen=True)
class Signer:
    """A private key with its certificate, able to sign bytes the way APK schemes expect."""

    private_key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
    certificate: x509.Certificate

    @property
    def certificate_der(self) -> bytes:
        return self.certificate.public_bytes(serialization.Encoding.DER)

    @property
    def certificate_sha256(self) -> str:
        return hashlib.sha256(self.certificate_der).hexdigest()

    @property
    def public_key_der(self) -> bytes:
        return self.certificate.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )

    @property
    def key_kind(self) -> str:
        """``RSA`` or ``EC``: also the extension of the v1 signature block file."""
        return "RSA" if isinstance(self.private_key, rsa.RSAPrivateKey) else "EC"

    @property
    def signature_algorithm_id(self) -> int:
        """The v2/v3 algorithm id; SHA-256 variants verify on every Android version."""
        return RSA_PKCS1_SHA256 if self.key_kind == "RSA" else ECDSA_SHA256

    def sign(self, data: bytes, hash_algorithm: hashes.HashAlgorithm | None = None) -> bytes:
        """Sign ``data`` (PKCS#1 v1.5 for RSA, DER ECDSA for EC) with SHA-256 by default."""
        algorithm = hash_algorithm or hashes.SHA256()
        if isinstance(self.private_key, rsa.RSAPrivateKey):
            return self.private_key.sign(data, padding.PKCS1v15(), algorithm)
        return self.private_key.sign(data, ec.ECDSA(algorithm))


def load_signer(
    *,
    keystore: Path | None = None,
    alias: str | None = None,
    password: bytes | None = None,
    key_password: bytes | None = None,
    key_pem: Path | None = None,
    cert_pem: Path | None = None,
) -> Signer:
    """Load a signer from a keytool PKCS#12 keystore, or from a PEM key and certificate."""
    if keystore is not None:
        if key_pem is not None or cert_pem is not None:
            raise SigningError(
                "give either a keystore or a PEM key and certificate, not both",
                code="signing_key_source_ambiguous",
            )
        key, certificate = _load_keystore(Path(keystore), alias, password, key_password)
    elif key_pem is not None and cert_pem is not None:
        key, certificate = _load_pem(Path(key_pem), Path(cert_pem), key_password or password)
    else:
        raise SigningError(
            "no signing key given: pass a keystore, or both a PEM key and a PEM certificate",
            code="signing_key_missing",
        )

    _check_key_type(key)
    _check_key_matches_certificate(key, certificate)
    signer = Signer(private_key=key, certificate=certificate)
    logger.info(
        "signing key loaded: %s, certificate SHA-256 %s",
        signer.key_kind,
        signer.certificate_sha256,
    )
    return signer


def _read(path: Path, what: str, code: str) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        raise SigningError(f"cannot read the {what} {path}: {error.strerror}", code=code) from None


def _looks_like_pkcs12(data: bytes) -> bool:
    """True when ``data`` starts like a PKCS#12 PFX (a DER SEQUENCE whose version is 3)."""
    if len(data) < 8 or data[0] != 0x30:
        return False
    length_byte = data[1]
    offset = 2 if length_byte < 0x80 else 2 + (length_byte & 0x7F)
    return data[offset : offset + 3] == b"\x02\x01\x03"


def _load_keystore(
    path: Path, alias: str | None, password: bytes | None, key_password: bytes | None
):
    data = _read(path, "keystore", "keystore_malformed")
    if not _looks_like_pkcs12(data):
        raise SigningError(
            f"{path.name} is not a PKCS#12 keystore; convert a JKS store with "
            "`keytool -importkeystore -deststoretype PKCS12`",
            code="keystore_malformed",
        )

    candidates = [password]
    if key_password is not None and key_password != password:
        candidates.append(key_password)
    loaded = None
    for candidate in candidates:
        try:
            loaded = pkcs12.load_pkcs12(data, candidate)
            break
        except ValueError as error:
            if "asn1" in str(error):
                # The MAC matched, so the password is right: the content is what fails.
                raise SigningError(
                    f"{path.name} opened, but its key or certificate uses an algorithm or "
                    "encoding this service cannot use (keytool DSA keys do this); use an "
                    "RSA 2048-4096 or EC P-256 key",
                    code="signing_key_unsupported",
                ) from None
            continue
        except TypeError:
            # cryptography's reaction to some binary passwords (a NUL byte).
            continue
    if loaded is None and password is None:
        raise SigningError(
            f"{path.name} needs its store password; pass it with --password-file",
            code="keystore_bad_password",
        )
    if loaded is None:
        raise SigningError(
            f"the keystore password for {path.name} is wrong (or the store uses an "
            "encryption this service cannot read); check the password file",
            code="keystore_bad_password",
        )

    if loaded.key is None or loaded.cert is None:
        raise SigningError(
            f"{path.name} holds no private key with a certificate; create one with "
            "`keytool -genkeypair`",
            code="keystore_alias_missing",
        )
    found_alias = _alias_of(loaded.cert)
    other_aliases = [name for name in map(_alias_of, loaded.additional_certs) if name]
    if alias is None and other_aliases:
        names = ", ".join([found_alias, *other_aliases])
        raise SigningError(
            f"{path.name} holds several entries ({names}); name the key with --alias",
            code="keystore_alias_missing",
        )
    if alias is not None and found_alias and alias.lower() != found_alias.lower():
        if alias.lower() in (name.lower() for name in other_aliases):
            # cryptography only returns a store's first key; say how to get the other one.
            raise SigningError(
                f"only the first key entry of a keystore ('{found_alias}') can be used; "
                f"copy '{alias}' to its own store with `keytool -importkeystore "
                f"-srcalias {alias} -deststoretype PKCS12`",
                code="keystore_alias_unsupported",
            )
        raise SigningError(
            f"alias '{alias}' is not in {path.name}; its key entry is '{found_alias}'",
            code="keystore_alias_missing",
        )
    return loaded.key, loaded.cert.certificate


def _alias_of(certificate: pkcs12.PKCS12Certificate) -> str:
    return (certificate.friendly_name or b"").decode("utf-8", "replace")


def _load_pem(key_path: Path, cert_path: Path, key_password: bytes | None):
    key_data = _read(key_path, "private key", "key_malformed")
    try:
        key = serialization.load_pem_private_key(key_data, key_password)
    except TypeError:
        if key_password is None:
            raise SigningError(
                f"{key_path.name} is encrypted; give its password with --key-password-file",
                code="key_bad_password",
            ) from None
        raise SigningError(
            f"{key_path.name} is not encrypted but a key password was given; drop it",
            code="key_bad_password",
        ) from None
    except ValueError:
        if key_password is not None and b"ENCRYPTED" in key_data:
            raise SigningError(
                f"the password for {key_path.name} is wrong; check the password file",
                code="key_bad_password",
            ) from None
        raise SigningError(
            f"{key_path.name} is not a PEM private key (PKCS#8 or traditional RSA/EC)",
            code="key_malformed",
        ) from None
    except Exception:  # cryptography raises UnsupportedAlgorithm for exotic key types
        raise SigningError(
            f"{key_path.name} holds a key type that cannot be loaded",
            code="signing_key_unsupported",
        ) from None

    cert_data = _read(cert_path, "certificate", "certificate_malformed")
    try:
        certificates = x509.load_pem_x509_certificates(cert_data)
    except ValueError:
        raise SigningError(
            f"{cert_path.name} is not a PEM X.509 certificate", code="certificate_malformed"
        ) from None
    return key, certificates[0]


def _check_key_type(key) -> None:
    if isinstance(key, rsa.RSAPrivateKey):
        if 2048 <= key.key_size <= 4096:
            return
        raise SigningError(
            f"RSA keys must be 2048 to 4096 bits; this one has {key.key_size}. "
            "Create a new key with `keytool -genkeypair -keyalg RSA -keysize 2048`",
            code="signing_key_unsupported",
        )
    if isinstance(key, ec.EllipticCurvePrivateKey):
        if isinstance(key.curve, SUPPORTED_CURVES):
            return
        raise SigningError(
            f"EC keys must use P-256 or P-384; this one uses {key.curve.name}",
            code="signing_key_unsupported",
        )
    raise SigningError(
        f"{type(key).__name__.removeprefix('_')} keys cannot sign APKs here; "
        "use an RSA (2048-4096 bits) or EC P-256 key",
        code="signing_key_unsupported",
    )


def _check_key_matches_certificate(key, certificate: x509.Certificate) -> None:
    public_format = serialization.PublicFormat.SubjectPublicKeyInfo
    ours = key.public_key().public_bytes(serialization.Encoding.DER, public_format)
    theirs = certificate.public_key().public_bytes(serialization.Encoding.DER, public_format)
    if ours != theirs:
        raise SigningError(
            "the certificate does not belong to the private key; give the matching certificate",
            code="signing_key_mismatch",
        )
