"""Offline verification of a report PDF or JSON twin against the report-signing CA.

The answer is always a ``ReportVerification`` (never an exception for bad input): whether the
file is valid and, if not, a stable ``reason_code`` with a sentence saying what is wrong. A
PDF is valid only when the certification signature is intact, chains to the CA, covers every
byte of the file (so an appended incremental update is refused, not merely reported) and the
signed content carries the report facts. A JSON report is valid only when the detached JWS
verifies over exactly the bytes given.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import io
import json
import logging
from dataclasses import dataclass, field
from datetime import datetime

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.fields import MDPPerm
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import CertificateValidator, ValidationContext
from pyhanko_certvalidator.errors import PathError, ValidationError

from certified.errors import ReportSchemaError
from certified.report import EMBEDDED_JSON_NAME, Report, parse_report_json
from certified.signing import JWS_TYPE, b64url, b64url_decode, jws_verify

logger = logging.getLogger(__name__)

JWS_ALGORITHMS = ("ES256", "ES384", "ES512", "RS256")
MAX_REPORT_BYTES = 50 * 1024 * 1024


@dataclass(frozen=True)
class ReportVerification:
    """What verification found; ``reason_code`` is None exactly when ``valid`` is True."""

    valid: bool
    kind: str
    reason: str
    reason_code: str | None = None
    intact: bool = False
    trusted: bool = False
    covers_whole_file: bool = False
    report_id: str | None = None
    build_id: str | None = None
    signer_subject: str | None = None
    signer_sha256: str | None = None
    signed_at: datetime | None = None
    timestamped: bool = False
    timestamp_trusted: bool = False
    # The signed facts, for a valid report only (the page shows app, output SHA-256, verdict).
    report: Report | None = field(default=None, compare=False, repr=False)

    def to_dict(self) -> dict:
        """A JSON-ready form for the API and the verification page (without the facts)."""
        return {
            "valid": self.valid,
            "kind": self.kind,
            "reason": self.reason,
            "reason_code": self.reason_code,
            "intact": self.intact,
            "trusted": self.trusted,
            "covers_whole_file": self.covers_whole_file,
            "report_id": self.report_id,
            "build_id": self.build_id,
            "signer_subject": self.signer_subject,
            "signer_sha256": self.signer_sha256,
            "signed_at": self.signed_at.isoformat() if self.signed_at else None,
            "timestamped": self.timestamped,
            "timestamp_trusted": self.timestamp_trusted,
        }


class CaCertificateError(ValueError):
    """The CA certificate handed to verification is unreadable (a caller error, exit 1)."""


def load_ca_certificate(ca_cert: x509.Certificate | bytes) -> asn1_x509.Certificate:
    """Accept the CA as a ``cryptography`` certificate, PEM or DER bytes."""
    if isinstance(ca_cert, x509.Certificate):
        der = ca_cert.public_bytes(serialization.Encoding.DER)
    else:
        try:
            if b"-----BEGIN" in ca_cert:
                der = x509.load_pem_x509_certificates(ca_cert)[0].public_bytes(
                    serialization.Encoding.DER
                )
            else:
                der = x509.load_der_x509_certificate(ca_cert).public_bytes(
                    serialization.Encoding.DER
                )
        except ValueError:
            raise CaCertificateError(
                "the CA certificate is not a PEM or DER certificate"
            ) from None
    return asn1_x509.Certificate.load(der)


def verify_pdf(
    data: bytes,
    ca_cert: x509.Certificate | bytes,
    *,
    timestamp_roots: tuple[x509.Certificate | bytes, ...] = (),
) -> ReportVerification:
    """Verify a report PDF: certified, intact, trusted, whole file, carrying report facts.

    ``timestamp_roots`` are extra anchors for B-T timestamps from an outside TSA; the CA is
    always trusted for timestamps too.
    """
    anchor = load_ca_certificate(ca_cert)
    result = _Outcome("pdf")
    if len(data) > MAX_REPORT_BYTES:
        return result.refuse("too_large", "the file is larger than any report Fusebox writes")
    if data.lstrip()[:5] != b"%PDF-":
        return result.refuse("not_a_pdf", "the file is not a PDF")

    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        signatures = reader.embedded_signatures
    except (PdfError, ValueError, KeyError, TypeError, IndexError) as error:
        return result.refuse("unreadable_pdf", f"the PDF structure is damaged ({error})")

    if not signatures:
        return result.refuse("no_signature", "the PDF carries no signature")
    if len(signatures) > 1:
        return result.refuse(
            "extra_signature",
            f"the PDF carries {len(signatures)} signatures; a report carries exactly one",
        )
    signature = signatures[0]

    try:
        context = ValidationContext(trust_roots=[anchor])
        ts_roots = [anchor, *(load_ca_certificate(root) for root in timestamp_roots)]
        status = validate_pdf_signature(
            signature,
            signer_validation_context=context,
            ts_validation_context=ValidationContext(trust_roots=ts_roots),
            # Any byte after the signed revision is refused below, so pyHanko's analysis of
            # what an appended update changed would only cost time.
            skip_diff=True,
        )
    except Exception as error:
        # pyHanko raises a wide range of types for malformed signature data.
        logger.info("report PDF signature could not be evaluated: %s", error)
        return result.refuse("signature_unreadable", f"the signature cannot be read ({error})")

    certificate = status.signing_cert
    result.intact = bool(status.intact and status.valid)
    result.trusted = bool(status.trusted)
    result.covers_whole_file = status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    result.signer_subject = certificate.subject.human_friendly if certificate else None
    result.signer_sha256 = certificate.sha256.hex() if certificate else None
    stamp = status.timestamp_validity
    result.signed_at = stamp.timestamp if stamp else status.signer_reported_dt
    result.timestamped = stamp is not None
    result.timestamp_trusted = bool(stamp and stamp.trusted)

    if not result.intact:
        return result.refuse(
            "signature_broken",
            "the signed bytes were changed after signing (the document digest does not match)",
        )
    if not result.trusted:
        return result.refuse(
            "untrusted_signer",
            "the signature is intact but its certificate does not chain to the given CA",
        )
    if not result.covers_whole_file:
        return result.refuse(
            "not_whole_file",
            "bytes were added after the signature (an incremental update); "
            "only the original signed revision is genuine",
        )
    if signature.docmdp_level != MDPPerm.NO_CHANGES or not status.docmdp_ok:
        return result.refuse(
            "not_certified", "the signature is not a no-changes certification signature"
        )
    if stamp is not None and not (stamp.intact and stamp.valid):
        # An intact timestamp from a TSA the verifier does not trust leaves the report valid
        # (its own signature is), and ``timestamp_trusted`` says the time is unproven.
        return result.refuse("timestamp_invalid", "the signature's timestamp does not verify")

    try:
        report = parse_report_json(_embedded_report_json(reader))
    except (ReportSchemaError, LookupError, PdfError, TypeError) as error:
        return result.refuse(
            "missing_report_facts", f"the signed PDF carries no readable report facts ({error})"
        )
    return result.accept(report)


def verify_json(
    data: bytes, signature: str | bytes, ca_cert: x509.Certificate | bytes
) -> ReportVerification:
    """Verify a report JSON against its detached compact JWS and the report-signing CA."""
    anchor = load_ca_certificate(ca_cert)
    result = _Outcome("json")
    result.covers_whole_file = True

    try:
        header, encoded_header, raw_signature = _parse_detached_jws(signature)
    except ValueError as error:
        return result.refuse("malformed_signature", f"the JWS is malformed: {error}")

    algorithm = header.get("alg")
    if algorithm not in JWS_ALGORITHMS:
        return result.refuse(
            "unsupported_algorithm", f"JWS algorithm {algorithm!r} is not accepted"
        )
    if header.get("typ") != JWS_TYPE or header.get("crit"):
        return result.refuse(
            "malformed_signature", "the JWS is not a Fusebox report signature (typ/crit)"
        )

    try:
        chain = [
            asn1_x509.Certificate.load(base64.b64decode(item, validate=True))
            for item in header["x5c"]
        ]
        leaf = chain[0]
        public_key = x509.load_der_x509_certificate(leaf.dump()).public_key()
    except (KeyError, IndexError, TypeError, ValueError, binascii.Error):
        return result.refuse("malformed_signature", "the JWS header lacks a usable x5c chain")
    result.signer_subject = leaf.subject.human_friendly
    result.signer_sha256 = leaf.sha256.hex()

    signing_input = f"{encoded_header}.{b64url(data)}".encode("ascii")
    result.intact = jws_verify(public_key, algorithm, signing_input, raw_signature)
    if not result.intact:
        return result.refuse(
            "signature_mismatch",
            "the JSON does not match its signature: a field was edited or the file reformatted",
        )

    result.trusted = _chains_to(leaf, chain[1:], anchor)
    if not result.trusted:
        return result.refuse(
            "untrusted_signer",
            "the signature is intact but its certificate does not chain to the given CA",
        )

    try:
        report = parse_report_json(data)
    except ReportSchemaError as error:
        return result.refuse("missing_report_facts", f"the signed JSON is not a report: {error}")
    result.signed_at = report.issued_at
    return result.accept(report)


class _Outcome:
    """Collects findings as verification proceeds, then freezes them into a result."""

    def __init__(self, kind: str):
        self.kind = kind
        self.intact = False
        self.trusted = False
        self.covers_whole_file = False
        self.signer_subject = None
        self.signer_sha256 = None
        self.signed_at = None
        self.timestamped = False
        self.timestamp_trusted = False

    def refuse(self, code: str, reason: str) -> ReportVerification:
        logger.info("report %s not valid: %s: %s", self.kind, code, reason)
        return self._freeze(valid=False, reason=reason, reason_code=code)

    def accept(self, report: Report) -> ReportVerification:
        reason = (
            f"valid: report {report.report_id} for build {report.build_id}, signed by "
            f"{self.signer_subject}"
        )
        return self._freeze(
            valid=True,
            reason=reason,
            reason_code=None,
            report_id=report.report_id,
            build_id=report.build_id,
            report=report,
        )

    def _freeze(self, **values) -> ReportVerification:
        return ReportVerification(
            kind=self.kind,
            intact=self.intact,
            trusted=self.trusted,
            covers_whole_file=self.covers_whole_file,
            signer_subject=self.signer_subject,
            signer_sha256=self.signer_sha256,
            signed_at=self.signed_at,
            timestamped=self.timestamped,
            timestamp_trusted=self.timestamp_trusted,
            **values,
        )


def _parse_detached_jws(signature: str | bytes) -> tuple[dict, str, bytes]:
    if isinstance(signature, bytes):
        try:
            signature = signature.decode("ascii")
        except UnicodeDecodeError:
            raise ValueError("not ASCII") from None
    parts = signature.strip().split(".")
    if len(parts) != 3:
        raise ValueError("expected three dot-separated parts")
    encoded_header, payload, encoded_signature = parts
    if payload:
        raise ValueError("the payload part must be empty (detached JWS)")
    try:
        header = json.loads(b64url_decode(encoded_header))
        raw_signature = b64url_decode(encoded_signature)
    except (ValueError, binascii.Error):
        raise ValueError("header or signature is not base64url JSON") from None
    if not isinstance(header, dict):
        raise ValueError("the header is not a JSON object")
    return header, encoded_header, raw_signature


def _chains_to(
    leaf: asn1_x509.Certificate,
    intermediates: list[asn1_x509.Certificate],
    anchor: asn1_x509.Certificate,
) -> bool:
    validator = CertificateValidator(
        leaf, intermediates, validation_context=ValidationContext(trust_roots=[anchor])
    )
    try:
        asyncio.run(
            validator.async_validate_usage(
                {"digital_signature"},
                extended_key_usage={"email_protection"},
                extended_optional=True,
            )
        )
    except (PathError, ValidationError) as error:
        logger.info("JWS signer does not chain to the report CA: %s", error)
        return False
    return True


def _embedded_report_json(reader: PdfFileReader) -> bytes:
    names = reader.root["/Names"]["/EmbeddedFiles"]["/Names"]
    for index in range(0, len(names), 2):
        if str(names[index]) == EMBEDDED_JSON_NAME:
            return names[index + 1]["/EF"]["/F"].data
    raise LookupError(f"no embedded {EMBEDDED_JSON_NAME}")
