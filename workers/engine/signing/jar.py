"""v1 (JAR) signing: MANIFEST.MF, the signature file and its PKCS#7 signature block.

Android before 7.0 only checks this scheme. The signature file announces the v2 and v3
signatures (``X-Android-APK-Signed: 2, 3``) so newer Android refuses an APK whose signing
block was stripped to fall back to the weaker v1 check.
"""

import base64
import hashlib
from collections.abc import Iterable

from cryptography.hazmat.primitives import hashes, serialization

from workers.engine.errors import SigningError
from workers.engine.signing import der
from workers.engine.signing.keys import Signer

SIGNER_NAME = "CERT"
CREATED_BY = b"Created-By: 1.0 (Android)\r\n"
MAX_LINE = 70
SIGNATURE_SUFFIXES = (".SF", ".RSA", ".DSA", ".EC")


def v1_hash_name(min_sdk: int | None) -> str:
    """SHA-256 from API 18 on; older devices only verify SHA-1 JAR digests."""
    return "sha1" if min_sdk is not None and min_sdk < 18 else "sha256"


def digest_attribute(hash_name: str) -> bytes:
    return b"SHA1-Digest" if hash_name == "sha1" else b"SHA-256-Digest"


def is_signature_file(name: str) -> bool:
    """Whether JAR signing owns ``name`` (and so it is left out of MANIFEST.MF)."""
    if not name.startswith("META-INF/") or "/" in name[len("META-INF/") :]:
        return False
    upper = name.upper()
    return (
        upper == "META-INF/MANIFEST.MF"
        or upper.endswith(SIGNATURE_SUFFIXES)
        or upper.startswith("META-INF/SIG-")
    )


def needs_manifest_digest(name: str) -> bool:
    return not name.endswith("/") and not is_signature_file(name)


def header_line(key: bytes, value: bytes) -> bytes:
    """One manifest attribute, wrapped at 70 bytes with continuation lines as JAR requires."""
    line = key + b": " + value
    pieces = [line[:MAX_LINE]]
    rest = line[MAX_LINE:]
    while rest:
        pieces.append(b" " + rest[: MAX_LINE - 1])
        rest = rest[MAX_LINE - 1 :]
    return b"\r\n".join(pieces) + b"\r\n"


def build_manifest(entry_digests: Iterable[tuple[str, bytes]], hash_name: str):
    """Return MANIFEST.MF bytes and each entry's section bytes (the signature file signs them)."""
    attribute = digest_attribute(hash_name)
    main = b"Manifest-Version: 1.0\r\n" + CREATED_BY + b"\r\n"
    sections = []
    for name, digest in entry_digests:
        if any(character in name for character in "\r\n\0"):
            # A line break in a name would let it forge manifest attributes.
            raise SigningError(
                f"entry name {name!r} cannot be listed in a JAR manifest",
                code="apk_bad_entry_name",
            )
        section = (
            header_line(b"Name", name.encode("utf-8"))
            + header_line(attribute, base64.b64encode(digest))
            + b"\r\n"
        )
        sections.append((name, section))
    return main + b"".join(section for _, section in sections), sections


def build_signature_file(manifest: bytes, sections, hash_name: str) -> bytes:
    attribute = digest_attribute(hash_name)
    whole = base64.b64encode(hashlib.new(hash_name, manifest).digest())
    main = (
        b"Signature-Version: 1.0\r\n"
        + CREATED_BY
        + header_line(attribute + b"-Manifest", whole)
        + b"X-Android-APK-Signed: 2, 3\r\n\r\n"
    )
    body = b"".join(
        header_line(b"Name", name.encode("utf-8"))
        + header_line(attribute, base64.b64encode(hashlib.new(hash_name, section).digest()))
        + b"\r\n"
        for name, section in sections
    )
    return main + body


def build_signature_block(signature_file: bytes, signer: Signer, hash_name: str) -> bytes:
    """A detached PKCS#7 SignedData over the signature file, without signed attributes."""
    hash_algorithm = hashes.SHA1() if hash_name == "sha1" else hashes.SHA256()  # noqa: S303
    digest_oid = der.OID_SHA1 if hash_name == "sha1" else der.OID_SHA256
    signature = signer.sign(signature_file, hash_algorithm)
    if signer.key_kind == "RSA":
        signature_algorithm = der.algorithm(der.OID_RSA)
    else:
        signature_algorithm = der.algorithm(der.OID_EC_PUBLIC_KEY, with_null=False)

    certificate = signer.certificate
    issuer_and_serial = der.sequence(
        certificate.issuer.public_bytes(), der.integer(certificate.serial_number)
    )
    signer_info = der.sequence(
        der.integer(1),
        issuer_and_serial,
        der.algorithm(digest_oid),
        signature_algorithm,
        der.encode(der.OCTET_STRING, signature),
    )
    signed_data = der.sequence(
        der.integer(1),
        der.set_of(der.algorithm(digest_oid)),
        der.sequence(der.oid(der.OID_DATA)),
        der.encode(der.CONTEXT_0, certificate.public_bytes(serialization.Encoding.DER)),
        der.set_of(signer_info),
    )
    return der.sequence(der.oid(der.OID_SIGNED_DATA), der.encode(der.CONTEXT_0, signed_data))


def signature_entries(entry_digests, signer: Signer, hash_name: str) -> list[tuple[str, bytes]]:
    """The three META-INF files to add, in the order they are written."""
    manifest, sections = build_manifest(entry_digests, hash_name)
    signature_file = build_signature_file(manifest, sections, hash_name)
    block = build_signature_block(signature_file, signer, hash_name)
    return [
        ("META-INF/MANIFEST.MF", manifest),
        (f"META-INF/{SIGNER_NAME}.SF", signature_file),
        (f"META-INF/{SIGNER_NAME}.{signer.key_kind}", block),
    ]
