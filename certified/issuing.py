"""Issue one Certified Secure report: check the facts, render, sign the PDF and the JSON.

This is the single call the build pipeline's ``certifying`` step needs; it returns the three
files to store (PDF, canonical JSON, detached JWS) and their digests for lookups.
"""

from __future__ import annotations

import hashlib
import logging
import time
from dataclasses import dataclass

from pyhanko.sign.timestamps.api import TimeStamper

from certified.render import render_report_pdf
from certified.report import Report, canonical_json
from certified.signing import ReportAuthority, sign_report_json, sign_report_pdf

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class IssuedReport:
    """The signed twins of one report, ready to store and serve."""

    report: Report
    pdf: bytes
    json: bytes
    jws: str

    @property
    def pdf_sha256(self) -> str:
        return hashlib.sha256(self.pdf).hexdigest()

    @property
    def json_sha256(self) -> str:
        return hashlib.sha256(self.json).hexdigest()


def issue_report(
    facts: dict | Report,
    authority: ReportAuthority,
    *,
    timestamp_url: str | None = None,
    timestamper: TimeStamper | None = None,
) -> IssuedReport:
    """Render and sign a report from its facts (a schema v1 dict or a ``Report``).

    Raises ``ReportSchemaError`` for facts that do not fit, ``ReportRenderError`` or
    ``ReportAuthorityError`` when rendering or signing fails.
    """
    report = facts if isinstance(facts, Report) else Report.from_dict(facts)
    started = time.perf_counter()

    pdf = render_report_pdf(report)
    rendered = time.perf_counter()

    signed_pdf = sign_report_pdf(
        pdf, authority, timestamp_url=timestamp_url, timestamper=timestamper
    )
    json_bytes = canonical_json(report)
    jws = sign_report_json(json_bytes, authority)

    logger.info(
        "build %s: report %s issued (%s): render %.2f s, sign %.2f s, %d audit events",
        report.build_id,
        report.report_id,
        "PASSED" if report.verdict.passed else "FAILED",
        rendered - started,
        time.perf_counter() - rendered,
        len(report.audit_events),
    )
    return IssuedReport(report=report, pdf=signed_pdf, json=json_bytes, jws=jws)
