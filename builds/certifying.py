"""The certifying step: prove the protection is in the output before a build succeeds.

``certify(build)`` runs ``check_fused`` on the stored output, keeps its JSON as the build's
proof and, when the protection is there, issues the signed Certified Secure report from that
inspection: a build succeeds only with its report.
"""

import logging

from builds import storage
from builds.models import Build
from certified.services import issue_for_build
from trust.models import CACertificate
from workers.engine.errors import VerificationError
from workers.engine.fused_check import check_fused

logger = logging.getLogger(__name__)

EXPECTED_STATUS = {
    "fusebox": "present",
    "private": "awaiting_signature",
    "auto_dev": "awaiting_signature",
}


def certify(build: Build) -> list[str]:
    """Check the output, store the proof on ``build`` and return lines for the build log.

    Raises ``VerificationError`` (code ``protection_not_present``) when the verdict is not
    the one the signing method promises.
    """
    ca = CACertificate.objects.get(pk=build.plan["ca_certificate_id"])
    with storage.local_copy(build.output_name) as path:
        inspection = check_fused(path, ca_pem=ca.certificate_pem.encode())

    build.proof = inspection.to_dict()
    build.proof.pop("path", None)
    expected = EXPECTED_STATUS[build.signing_method]
    if inspection.status != expected:
        failed = [f.detail for f in inspection.findings if f.status != "present"]
        raise VerificationError(
            f"the output's protection is {inspection.status}, expected {expected}: "
            + "; ".join(failed[:3]),
            code="protection_not_present",
        )
    lines = [f"Protection check: {inspection.status} ({len(inspection.findings)} checks)"]

    report = issue_for_build(build)
    if not report.passed:
        raise VerificationError(
            f"the Certified Secure report {report.report_id} found the output wanting: "
            "see its verdict",
            code="report_failed",
        )
    lines.append(f"Certified Secure report {report.report_id} signed (PDF and JSON)")
    return lines
