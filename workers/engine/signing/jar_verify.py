"""Verify v1 (JAR) signatures: PKCS#7 over each .SF, .SF over MANIFEST.MF, manifest over
every entry, and the ``X-Android-APK-Signed`` stripping protection.
"""

import base64
import hashlib
from typing import BinaryIO

from cryptography import x509

from workers.engine.signing import certificates, der
from workers.engine.signing.jar import needs_manifest_digest
from workers.engine.signing.layout import CentralEntry, iter_entry_data
from workers.engine.signing.report import SignerSummary, VerificationReport

MAX_META_FILE = 64 << 20
DIGEST_NAMES = {
    "SHA1": "sha1",
    "SHA-1": "sha1",
    "SHA-256": "sha256",
    "SHA-384": "sha384",
    "SHA-512": "sha512",
}
STRENGTH = ["sha512", "sha384", "sha256", "sha1"]
DIGEST_OIDS = {
    der.OID_SHA1: "sha1",
    der.OID_SHA256: "sha256",
    der.OID_SHA384: "sha384",
    der.OID_SHA512: "sha512",
    "2.16.840.1.101.3.4.2.4": "sha224",
}
SIGNATURE_KINDS = {
    "1.2.840.113549.1.1.1": "rsa",
    "1.2.840.113549.1.1.5": "rsa",
    "1.2.840.113549.1.1.11": "rsa",
    "1.2.840.113549.1.1.12": "rsa",
    "1.2.840.113549.1.1.13": "rsa",
    "1.2.840.113549.1.1.14": "rsa",
    "1.2.840.10045.2.1": "ecdsa",
    "1.2.840.10045.4.1": "ecdsa",
    "1.2.840.10045.4.3.1": "ecdsa",
    "1.2.840.10045.4.3.2": "ecdsa",
    "1.2.840.10045.4.3.3": "ecdsa",
    "1.2.840.10045.4.3.4": "ecdsa",
    "1.2.840.10040.4.1": "dsa",
    "1.2.840.10040.4.3": "dsa",
    "2.16.840.1.101.3.4.3.1": "dsa",
    "2.16.840.1.101.3.4.3.2": "dsa",
}
SCHEME_BLOCKS = {2: 0x7109871A, 3: 0xF05368C0}


def has_v1_signature(entries: list[CentralEntry]) -> bool:
    return any(_is_signature_block(e.name) or _is_signature_file(e.name) for e in entries)


def _is_signature_file(name: str) -> bool:
    upper = name.upper()
    return upper.startswith("META-INF/") and upper.count("/") == 1 and upper.endswith(".SF")


def _is_signature_block(name: str) -> bool:
    upper = name.upper()
    return (
        upper.startswith("META-INF/")
        and upper.count("/") == 1
        and upper.endswith((".RSA", ".DSA", ".EC"))
    )


def verify_v1(
    handle: BinaryIO, entries: list[CentralEntry], report: VerificationReport, block_ids: set[int]
) -> list[SignerSummary]:
    by_name = {entry.name: entry for entry in entries}
    manifest_entry = by_name.get("META-INF/MANIFEST.MF")
    if manifest_entry is None:
        report.add_problem("signature_invalid", "v1: META-INF/MANIFEST.MF is missing")
        return []
    manifest = _read_small(handle, manifest_entry)
    sections = parse_sections(manifest)
    named = {
        attrs.get("Name", b"").decode("utf-8", "replace"): (attrs, raw)
        for attrs, raw in sections[1:]
    }

    signers = []
    for block_entry in [e for e in entries if _is_signature_block(e.name)]:
        base = block_entry.name.rsplit(".", 1)[0]
        sf_entry = by_name.get(base + ".SF")
        if sf_entry is None:
            report.add_problem("signature_invalid", f"v1: {block_entry.name} has no .SF file")
            continue
        signature_file = _read_small(handle, sf_entry)
        signer = _verify_signature_block(
            _read_small(handle, block_entry), signature_file, block_entry.name, report
        )
        if signer is None:
            continue
        signers.append(signer)
        covered = _verify_signature_file(
            signature_file, manifest, named, sf_entry.name, report, block_ids
        )
        _check_coverage(entries, covered, sf_entry.name, report)
    if not signers:
        report.add_problem("signature_invalid", "v1: no verifiable signature block in META-INF")
        return []

    _verify_entries(handle, entries, named, report)
    return signers


def parse_sections(data: bytes) -> list[tuple[dict[str, bytes], bytes]]:
    """Split a manifest into (attributes, raw bytes) sections; the first is the main one."""
    sections = []
    raw = bytearray()
    attributes: dict[str, bytes] = {}
    last_key = None
    for line in data.splitlines(keepends=True):
        raw += line
        text = line.rstrip(b"\r\n")
        if not text:
            if attributes or not sections:
                sections.append((attributes, bytes(raw)))
            raw, attributes, last_key = bytearray(), {}, None
            continue
        if text.startswith(b" ") and last_key is not None:
            attributes[last_key] += text[1:]
            continue
        key, _, value = text.partition(b":")
        last_key = key.decode("utf-8", "replace").strip()
        attributes[last_key] = value.strip(b" ")
    if attributes:
        sections.append((attributes, bytes(raw)))
    return sections


def _digests(attributes: dict[str, bytes], suffix: str) -> dict[str, bytes]:
    """Map hash name -> expected digest for attributes like ``SHA-256-Digest``."""
    found = {}
    for key, value in attributes.items():
        if key.upper().endswith(suffix.upper()):
            hash_name = DIGEST_NAMES.get(key[: -len(suffix)].upper())
            if hash_name:
                try:
                    found[hash_name] = base64.b64decode(value, validate=True)
                except ValueError:
                    found[hash_name] = b""
    return found


def _strongest(found: dict[str, bytes]) -> tuple[str, bytes] | None:
    for hash_name in STRENGTH:
        if hash_name in found:
            return hash_name, found[hash_name]
    return None


def _verify_signature_file(signature_file, manifest, named, sf_name, report, block_ids):
    """Check the .SF against MANIFEST.MF; returns the entry names it covers, None for all."""
    main = parse_sections(signature_file)
    main_attributes = main[0][0] if main else {}

    for scheme_text in main_attributes.get("X-Android-APK-Signed", b"").split(b","):
        scheme_text = scheme_text.strip()
        if scheme_text.isdigit() and SCHEME_BLOCKS.get(int(scheme_text)) not in block_ids | {None}:
            report.add_problem(
                "v1_stripping_detected",
                f"v1: {sf_name} says the APK was signed with scheme v"
                f"{int(scheme_text)}, but that signature is missing",
            )

    whole = _strongest(_digests(main_attributes, "-Digest-Manifest"))
    if whole and hashlib.new(whole[0], manifest).digest() == whole[1]:
        return None
    covered = set()
    for attributes, _ in main[1:]:
        name = attributes.get("Name", b"").decode("utf-8", "replace")
        expected = _strongest(_digests(attributes, "-Digest"))
        section = named.get(name)
        if expected is None or section is None:
            report.add_problem(
                "digest_mismatch", f"v1: {sf_name} names {name}, which MANIFEST.MF does not list"
            )
            continue
        if hashlib.new(expected[0], section[1]).digest() != expected[1]:
            report.add_problem(
                "digest_mismatch", f"v1: MANIFEST.MF section for {name} does not match {sf_name}"
            )
            continue
        covered.add(name)
    return covered


def _check_coverage(entries, covered: set[str] | None, sf_name: str, report) -> None:
    """When MANIFEST.MF changed since signing, only sections the .SF signs are trusted."""
    if covered is None:
        return
    uncovered = [
        e.name for e in entries if needs_manifest_digest(e.name) and e.name not in covered
    ]
    if uncovered:
        more = f" and {len(uncovered) - 1} more" if len(uncovered) > 1 else ""
        report.add_problem(
            "v1_entry_unsigned", f"v1: {uncovered[0]}{more} not signed by {sf_name}"
        )


def _verify_entries(handle, entries, named, report) -> None:
    for entry in entries:
        if not needs_manifest_digest(entry.name):
            continue
        section = named.get(entry.name)
        expected = _strongest(_digests(section[0], "-Digest")) if section else None
        if expected is None:
            report.add_problem(
                "v1_entry_unsigned", f"v1: {entry.name} is not covered by MANIFEST.MF"
            )
            continue
        digest = hashlib.new(expected[0])
        for chunk in iter_entry_data(handle, entry):
            digest.update(chunk)
        if digest.digest() != expected[1]:
            report.add_problem(
                "digest_mismatch", f"v1: {entry.name} does not match its MANIFEST.MF digest"
            )


def _verify_signature_block(
    block: bytes, signature_file: bytes, name: str, report: VerificationReport
) -> SignerSummary | None:
    try:
        content_info, _ = der.read(block)
        signed_data = content_info.children()[1].children()[0]
        parts = signed_data.children()
        certificate_nodes = next((p.children() for p in parts if p.tag == der.CONTEXT_0), [])
        signer_infos = parts[-1].children()
        signer_info = signer_infos[0].children()
    except (der.DerError, IndexError):
        report.add_problem("signature_invalid", f"v1: {name} is not a PKCS#7 SignedData")
        return None

    serial_node = signer_info[1].children()[-1] if signer_info[1].tag == der.SEQUENCE else None
    serial = int.from_bytes(serial_node.content, "big", signed=True) if serial_node else None
    certificates_found = []
    for node in certificate_nodes:
        try:
            certificates_found.append((x509.load_der_x509_certificate(node.raw), node.raw))
        except ValueError:
            continue
    match = next(
        ((c, raw) for c, raw in certificates_found if c.serial_number == serial),
        certificates_found[0] if certificates_found else None,
    )
    if match is None:
        report.add_problem("signature_invalid", f"v1: {name} carries no signer certificate")
        return None
    certificate, certificate_der = match

    digest_oid = signer_info[2].children()[0].oid()
    hash_name = DIGEST_OIDS.get(digest_oid)
    index = 3
    signed_bytes = signature_file
    if signer_info[index].tag == der.CONTEXT_0:
        signed_bytes = _authenticated_attributes(signer_info[index], hash_name, signature_file)
        index += 1
    signature_oid = signer_info[index].children()[0].oid()
    signature = signer_info[index + 1].content
    kind = SIGNATURE_KINDS.get(signature_oid)

    summary = SignerSummary(
        scheme="v1",
        subject=certificate.subject.rfc4514_string(),
        certificate_sha256=certificates.certificate_sha256(certificate_der),
        key_algorithm=certificates.key_algorithm(certificate.public_key()),
        signature_algorithms=[f"{kind or signature_oid} with {hash_name or digest_oid}"],
    )
    if hash_name is None or kind is None:
        report.add_problem(
            "signature_algorithm_unknown",
            f"v1: {name} uses an unknown algorithm ({signature_oid}, {digest_oid})",
        )
        return summary
    if signed_bytes is None or not certificates.verify_signature(
        certificate.public_key(), kind, hash_name, signature, signed_bytes
    ):
        report.add_problem(
            "signature_invalid", f"v1: the PKCS#7 signature in {name} does not verify"
        )
    return summary


def _authenticated_attributes(
    node: der.Node, hash_name: str | None, signature_file: bytes
) -> bytes | None:
    """The bytes signed when signed attributes exist, or None if their digest is wrong."""
    if hash_name is None:
        return None
    for attribute in node.children():
        parts = attribute.children()
        if parts and parts[0].oid() == der.OID_MESSAGE_DIGEST:
            value = parts[1].children()[0].content
            if value != hashlib.new(hash_name, signature_file).digest():
                return None
            return b"\x31" + node.raw[1:]
    return None


def _read_small(handle: BinaryIO, entry: CentralEntry) -> bytes:
    data = bytearray()
    for chunk in iter_entry_data(handle, entry):
        data += chunk
        if len(data) > MAX_META_FILE:
            raise ValueError(f"{entry.name} is larger than 64 MiB")
    return bytes(data)
