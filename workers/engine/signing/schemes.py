"""Verify APK Signature Scheme v2, v3 and v3.1 signers found in the APK Signing Block."""

import struct
from collections.abc import Callable

from cryptography.hazmat.primitives.serialization import load_der_public_key

from workers.engine.signing import certificates
from workers.engine.signing.block import (
    STRIPPING_PROTECTION_ATTR_ID,
    V3_BLOCK_ID,
    V3_SCHEME_ID,
)
from workers.engine.signing.report import SignerSummary, VerificationReport

PROOF_OF_ROTATION_ATTR_ID = 0x3BA06F8C

# id -> (name, signature kind, hash, content digest: "sha256"/"sha512"/None for verity)
ALGORITHMS = {
    0x0101: ("RSASSA-PSS with SHA2-256", "rsa-pss", "sha256", "sha256"),
    0x0102: ("RSASSA-PSS with SHA2-512", "rsa-pss", "sha512", "sha512"),
    0x0103: ("RSASSA-PKCS1-v1_5 with SHA2-256", "rsa", "sha256", "sha256"),
    0x0104: ("RSASSA-PKCS1-v1_5 with SHA2-512", "rsa", "sha512", "sha512"),
    0x0201: ("ECDSA with SHA2-256", "ecdsa", "sha256", "sha256"),
    0x0202: ("ECDSA with SHA2-512", "ecdsa", "sha512", "sha512"),
    0x0301: ("DSA with SHA2-256", "dsa", "sha256", "sha256"),
    0x0421: ("verity RSASSA-PKCS1-v1_5 with SHA2-256", "rsa", "sha256", None),
    0x0423: ("verity ECDSA with SHA2-256", "ecdsa", "sha256", None),
    0x0425: ("verity DSA with SHA2-256", "dsa", "sha256", None),
}


class MalformedBlock(ValueError):
    """A length prefix or field in a scheme block does not fit inside its container."""


class Reader:
    """Bounds-checked reader over little-endian, length-prefixed signing-block fields."""

    def __init__(self, data: bytes):
        self.data = data
        self.position = 0

    def remaining(self) -> int:
        return len(self.data) - self.position

    def uint32(self) -> int:
        if self.remaining() < 4:
            raise MalformedBlock("field truncated")
        (value,) = struct.unpack_from("<I", self.data, self.position)
        self.position += 4
        return value

    def prefixed(self) -> bytes:
        length = self.uint32()
        if length > self.remaining():
            raise MalformedBlock("length prefix runs past its container")
        value = self.data[self.position : self.position + length]
        self.position += length
        return value

    def sequence(self) -> list[bytes]:
        inner = Reader(self.prefixed())
        items = []
        while inner.remaining():
            items.append(inner.prefixed())
        return items


def scheme_needed_hashes(value: bytes) -> set[str]:
    """The content digests (sha256/sha512) a scheme block asks for, to compute them once."""
    needed = set()
    for signer in Reader(value).sequence():
        signed_data = Reader(Reader(signer).prefixed())
        for digest in signed_data.sequence():
            algorithm = ALGORITHMS.get(
                struct.unpack_from("<I", digest)[0] if len(digest) >= 4 else -1
            )
            if algorithm and algorithm[3]:
                needed.add(algorithm[3])
    return needed


def verify_scheme(
    scheme: str,
    value: bytes,
    content_digest: Callable[[str], bytes],
    report: VerificationReport,
    block_ids: set[int],
) -> list[SignerSummary]:
    """Verify every signer of one scheme block and return their summaries."""
    has_sdk_range = scheme != "v2"
    signers = Reader(value).sequence()
    if not signers:
        report.add_problem("signature_invalid", f"the {scheme} block has no signers")
    return [
        _verify_signer(scheme, signer, has_sdk_range, content_digest, report, block_ids)
        for signer in signers
    ]


def _verify_signer(scheme, signer_bytes, has_sdk_range, content_digest, report, block_ids):
    signer = Reader(signer_bytes)
    signed_data_bytes = signer.prefixed()
    outer_sdk = (signer.uint32(), signer.uint32()) if has_sdk_range else None
    signatures = [_algorithm_and_value(item) for item in signer.sequence()]
    public_key_der = signer.prefixed()

    signed_data = Reader(signed_data_bytes)
    digests = [_algorithm_and_value(item) for item in signed_data.sequence()]
    certificate_list = signed_data.sequence()
    inner_sdk = (signed_data.uint32(), signed_data.uint32()) if has_sdk_range else None
    attributes = [_attribute(item) for item in signed_data.sequence()]
    if not certificate_list:
        raise MalformedBlock(f"a {scheme} signer has no certificate")

    certificate_der = certificate_list[0]
    summary = SignerSummary(
        scheme=scheme,
        subject=certificates.subject_of(certificate_der),
        certificate_sha256=certificates.certificate_sha256(certificate_der),
        key_algorithm="unknown",
        signature_algorithms=[_algorithm_name(a) for a, _ in signatures],
        min_sdk=inner_sdk[0] if inner_sdk else None,
        max_sdk=inner_sdk[1] if inner_sdk else None,
    )
    public_key = load_der_public_key(public_key_der)
    summary.key_algorithm = certificates.key_algorithm(public_key)

    known = [(a, s) for a, s in signatures if a in ALGORITHMS]
    if not known:
        names = ", ".join(summary.signature_algorithms) or "none"
        report.add_problem(
            "signature_algorithm_unknown",
            f"{scheme} signer uses no known signature algorithm ({names})",
        )
        return summary
    _check_signatures(scheme, known, public_key, signed_data_bytes, report)
    _check_consistency(scheme, signatures, digests, certificate_der, public_key_der, report)
    if outer_sdk != inner_sdk:
        report.add_problem(
            "signature_invalid", f"{scheme} signer's SDK range differs from its signed SDK range"
        )
    _check_content_digests(scheme, digests, content_digest, report)
    _read_attributes(scheme, attributes, summary, report, block_ids)
    return summary


def _check_signatures(scheme, known, public_key, signed_data_bytes, report) -> None:
    for algorithm, signature in known:
        _name, kind, hash_name, _ = ALGORITHMS[algorithm]
        if not certificates.verify_signature(
            public_key, kind, hash_name, signature, signed_data_bytes
        ):
            report.add_problem(
                "signature_invalid",
                f"{scheme} signature ({_algorithm_name(algorithm)}) does not "
                "verify with the signer's public key",
            )


def _check_consistency(scheme, signatures, digests, certificate_der, public_key_der, report):
    """The unsigned parts of a signer (algorithm list, public key) must match signed ones."""
    if [a for a, _ in signatures] != [a for a, _ in digests]:
        report.add_problem(
            "signature_invalid",
            f"{scheme} signed digests and signatures name different algorithms",
        )
    if certificates.public_key_der_of(certificate_der) != public_key_der:
        report.add_problem(
            "signature_invalid", f"{scheme} public key differs from the signer certificate's key"
        )


def _check_content_digests(scheme, digests, content_digest, report) -> None:
    checked = 0
    for algorithm, digest in digests:
        content_hash = ALGORITHMS.get(algorithm, (None, None, None, None))[3]
        if content_hash is None:
            if algorithm in ALGORITHMS:
                report.notes.append(f"{scheme}: verity digest not recomputed")
            continue
        checked += 1
        if content_digest(content_hash) != digest:
            report.add_problem(
                "digest_mismatch",
                f"{scheme} content digest ({content_hash.upper()}) does not "
                "match the file: the APK was modified after signing",
            )
    if not checked:
        # Verity-only signers would otherwise pass without any check of the content.
        report.add_problem(
            "digest_unchecked",
            f"{scheme} signer carries no content digest this verifier recomputes",
        )


def _read_attributes(scheme, attributes, summary, report, block_ids) -> None:
    for attribute_id, attribute_value in attributes:
        if attribute_id == STRIPPING_PROTECTION_ATTR_ID and scheme == "v2":
            claimed = (
                struct.unpack_from("<I", attribute_value)[0] if len(attribute_value) >= 4 else 0
            )
            if claimed == V3_SCHEME_ID and V3_BLOCK_ID not in block_ids:
                report.add_problem(
                    "v3_stripping_detected",
                    "the v2 signature says a v3 signature was made, but it is "
                    "missing: the APK was tampered with",
                )
        if attribute_id == PROOF_OF_ROTATION_ATTR_ID:
            summary.lineage_sha256, problem = _lineage_certificates(attribute_value)
            if problem is None and summary.lineage_sha256[-1:] != [summary.certificate_sha256]:
                problem = "the lineage does not end with the signer's certificate"
            if problem:
                report.add_problem("signature_invalid", f"{scheme}: {problem}")


def _algorithm_and_value(item: bytes) -> tuple[int, bytes]:
    reader = Reader(item)
    return reader.uint32(), reader.prefixed()


def _attribute(item: bytes) -> tuple[int, bytes]:
    return Reader(item).uint32(), item[4:]


def _algorithm_name(algorithm: int) -> str:
    return ALGORITHMS[algorithm][0] if algorithm in ALGORITHMS else f"unknown 0x{algorithm:04x}"


def _lineage_certificates(value: bytes) -> tuple[list[str], str | None]:
    """SHA-256 of each certificate in a v3 proof-of-rotation, oldest first, and what is
    wrong with it: each later certificate must be signed by the key of the one before."""
    try:
        reader = Reader(value)
        reader.uint32()  # lineage format version
        found, previous = [], None
        while reader.remaining():
            node = Reader(reader.prefixed())
            signed_bytes = node.prefixed()
            signed = Reader(signed_bytes)
            certificate_der = signed.prefixed()
            signed_with = signed.uint32()  # what the previous key used to sign this node
            node.uint32()  # flags: capabilities the older key keeps
            signs_next_with, signature = node.uint32(), node.prefixed()
            found.append(certificates.certificate_sha256(certificate_der))
            if previous is not None:
                problem = _check_rotation(previous, signed_with, signature, signed_bytes)
                if problem:
                    return found, problem
            previous = (certificate_der, signs_next_with)
        return found, None
    except (MalformedBlock, ValueError) as error:
        return [], f"the proof-of-rotation lineage is damaged ({error})"


def _check_rotation(previous, algorithm: int, signature: bytes, signed_bytes: bytes):
    certificate_der, expected_algorithm = previous
    if algorithm != expected_algorithm or algorithm not in ALGORITHMS:
        return f"a lineage step uses algorithm 0x{algorithm:04x}, not the one announced"
    _name, kind, hash_name, _ = ALGORITHMS[algorithm]
    public_key = load_der_public_key(certificates.public_key_der_of(certificate_der))
    if not certificates.verify_signature(public_key, kind, hash_name, signature, signed_bytes):
        return "a lineage step is not signed by the previous signing key"
    return None
