"""Issue and store a build's report, and answer "did this Fusebox issue this file?".

``issue_for_build`` is what the ``certifying`` step calls once the inspection passed;
``verify_submission`` backs the public verification page and ``POST /api/v1/verify``.
"""

import hashlib
import logging
import re
import uuid
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from builds import storage
from certified import authority, conf, facts
from certified.issuing import issue_report
from certified.models import CertifiedReport
from certified.verify import MAX_REPORT_BYTES, verify_json, verify_pdf
from console.audit import record_event
from console.tenancy import unscoped_access
from workers.engine.errors import EngineError

logger = logging.getLogger(__name__)

SHA256 = re.compile(r"^[0-9a-fA-F]{64}$")


def report_name(build, report_id: str, extension: str) -> str:
    """Reports sit beside, not inside, the build's artifact folder."""
    return f"orgs/{build.organization_id}/reports/{build.pk}/{report_id}.{extension}"


def _store(name: str, data: bytes) -> None:
    files = storage.build_storage()
    if files.exists(name):
        files.delete(name)
    saved = files.save(name, ContentFile(data))
    if saved != name:
        raise RuntimeError(f"storage renamed {name} to {saved}; reports must keep their name")


def issue_for_build(build, *, request=None) -> CertifiedReport:
    """Render, sign and store the report of ``build`` (its ``proof`` must be filled).

    Running it again for the same build (a retried step) reissues under the same report id.
    """
    existing = CertifiedReport.unscoped.filter(build_id=build.pk).first()
    report_id = existing.report_id if existing else f"FBR-{uuid.uuid4().hex[:20].upper()}"
    issued_at = timezone.now()
    url = facts.verification_url(report_id, request)
    report_facts = facts.report_facts(build, report_id, issued_at, url)

    signer = authority.installation_authority()
    issued = issue_report(report_facts, signer, timestamp_url=conf.timestamp_url())

    pdf_name = report_name(build, report_id, "pdf")
    json_name = report_name(build, report_id, "json")
    _store(pdf_name, issued.pdf)
    _store(json_name, issued.json)
    values = {
        "organization_id": build.organization_id,
        "report_id": report_id,
        "pdf_name": pdf_name,
        "json_name": json_name,
        "jws": issued.jws,
        "pdf_sha256": issued.pdf_sha256,
        "json_sha256": issued.json_sha256,
        "output_sha256": issued.report.output.sha256,
        "package": issued.report.app.package,
        "version_name": issued.report.app.version_name,
        "app_name": issued.report.app.name,
        "fusion_set_name": issued.report.fusion_set.name,
        "passed": issued.report.verdict.passed,
        "signer_sha256": signer.signing_certificate_sha256,
        "issued_at": issued_at,
    }
    with transaction.atomic():
        report, _created = CertifiedReport.unscoped.update_or_create(
            build_id=build.pk, defaults=values
        )
        record_event(
            build.organization_id,
            "report.signed",
            target=build,
            changes={"report_id": report_id, "pdf_sha256": issued.pdf_sha256,
                     "verdict": "passed" if report.passed else "failed"},
        )  # fmt: skip
    return report


def read_pdf(report: CertifiedReport) -> bytes:
    with storage.open_file(report.pdf_name) as handle:
        return handle.read()


def read_json(report: CertifiedReport) -> bytes:
    with storage.open_file(report.json_name) as handle:
        return handle.read()


def public_summary(report: CertifiedReport) -> dict:
    """What the verification page may say about a report: only what the report states."""
    return {
        "report_id": report.report_id,
        "build_id": str(report.build_id),
        "app_name": report.app_name,
        "package": report.package,
        "version_name": report.version_name,
        "issued_at": report.issued_at.isoformat(),
        "verdict": report.verdict,
        "output_sha256": report.output_sha256,
        "pdf_sha256": report.pdf_sha256,
        "json_sha256": report.json_sha256,
    }


def find_report(**lookup) -> CertifiedReport | None:
    """A report of any organization (public verification answers for all of them)."""
    with unscoped_access():
        return CertifiedReport.unscoped.filter(**lookup).first()


@dataclass(frozen=True)
class Answer:
    """The verification page's and API's answer for one submission."""

    valid: bool
    kind: str
    reason_code: str | None
    reason: str
    details: dict
    report: dict | None

    def to_dict(self) -> dict:
        return {
            "valid": self.valid,
            "kind": self.kind,
            "reason_code": self.reason_code,
            "reason": self.reason,
            "issued_by_this_fusebox": self.valid and self.report is not None,
            **self.details,
            "report": self.report,
        }


def _refused(kind: str, code: str, reason: str) -> Answer:
    return Answer(False, kind, code, reason, {}, None)


class SubmissionError(EngineError):
    """A verification request without anything to verify, or too large."""

    code = "verify_input"


@dataclass(frozen=True)
class Submission:
    """One thing to verify: report bytes (+ JWS), an app's digest, or a pasted SHA-256."""

    data: bytes | None = None
    signature: str = ""
    sha256: str = ""
    app_sha256: str | None = None


def read_upload(uploaded, signature: str = "") -> Submission:
    """Reports are read (they are small); an app is only hashed, chunk by chunk."""
    head = uploaded.read(8)
    uploaded.seek(0)
    if head[:4] == b"PK\x03\x04":
        digest = hashlib.sha256()
        for chunk in uploaded.chunks(1024 * 1024):
            digest.update(chunk)
        return Submission(app_sha256=digest.hexdigest())
    if uploaded.size > MAX_REPORT_BYTES:
        raise SubmissionError("the file is larger than any Fusebox report", code="too_large")
    return Submission(data=uploaded.read(), signature=signature)


def kind_of(data: bytes) -> str:
    head = data.lstrip()[:8]
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"{"):
        return "json"
    if data[:4] == b"PK\x03\x04":
        return "app"
    return "unknown"


def verify_submission(submission: Submission) -> Answer:
    """Check a report PDF, a report JSON with its JWS, an app, or a pasted SHA-256."""
    if submission.app_sha256 is not None:
        return _verify_app(submission.app_sha256)
    if submission.data is None:
        return _verify_digest(submission.sha256.strip())
    data, signature = submission.data, submission.signature
    kind = kind_of(data)
    if kind == "app":
        return _verify_app(hashlib.sha256(data).hexdigest())
    if kind == "unknown":
        return _refused("unknown", "unknown_file", "not a report PDF, a report JSON or an APK")
    ca = authority.ca_certificate_pem(create=False)
    if ca is None:
        return _refused(kind, "no_reports_yet", "this Fusebox has not issued any report yet")
    if kind == "pdf":
        result = verify_pdf(data, ca)
    elif kind == "json":
        if not signature:
            return _refused("json", "signature_missing",
                            "a JSON report is checked with its .jws file: add it")  # fmt: skip
        result = verify_json(data, signature, ca)

    details = result.to_dict()
    for key in ("valid", "kind", "reason", "reason_code"):
        details.pop(key)
    known = find_report(report_id=result.report_id) if result.valid else None
    if result.valid and known is None:
        return Answer(False, kind, "unknown_report",
                      "the signature is valid, but this Fusebox holds no report with this id",
                      details, None)  # fmt: skip
    summary = public_summary(known) if known else None
    return Answer(result.valid, kind, result.reason_code, result.reason, details, summary)


def _verify_app(digest: str) -> Answer:
    known = find_report(output_sha256=digest)
    details = {"sha256": digest}
    if known is None:
        return Answer(False, "app", "no_report_for_app",
                      "no report of this Fusebox covers exactly these bytes (the app was "
                      "changed, re-signed, or not built here)", details, None)  # fmt: skip
    return Answer(True, "app", None, "a report covers exactly these bytes", details,
                  public_summary(known))  # fmt: skip


def _verify_digest(digest: str) -> Answer:
    if not SHA256.match(digest):
        return _refused("sha256", "malformed_sha256", "paste 64 hexadecimal digits")
    digest = digest.lower()
    for field, what in (("output_sha256", "app"), ("pdf_sha256", "report PDF"),
                        ("json_sha256", "report JSON")):  # fmt: skip
        known = find_report(**{field: digest})
        if known is not None:
            return Answer(True, "sha256", None, f"this is the SHA-256 of a {what} this "
                          "Fusebox certified", {"sha256": digest, "matches": field},
                          public_summary(known))  # fmt: skip
    return Answer(False, "sha256", "unknown_sha256",
                  "no app or report of this Fusebox has this SHA-256", {"sha256": digest},
                  None)  # fmt: skip
