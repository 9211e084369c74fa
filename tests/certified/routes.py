"""Reports, their downloads and the public verification routes in the isolation matrix."""

from tests.builds.routes import uuid_kwargs
from tests.certified.factories import certified_build
from tests.console.route_sweep import Route, register


def report(organization):
    return certified_build(organization)


def report_build(organization):
    return certified_build(organization).build


PUBLIC_VERIFY = "public verification: answers only what a report itself states"

register(Route("verify", "public", reason=PUBLIC_VERIFY))
register(Route("verify-ca", "public", reason="the report-signing CA certificate, public"))
register(
    Route(
        "verify-report",
        "public",
        kwargs=lambda _: {"report_id": "FBR-NO-SUCH-REPORT"},
        reason=PUBLIC_VERIFY,
    )
)
register(
    Route(
        "api-verify",
        "public",
        methods=(),
        reason=PUBLIC_VERIFY + "; POST is exercised with files in tests/certified",
    )
)
register(Route("report-list", "list", factory=report, marker=lambda o: o.app_name,
               role="auditor"))  # fmt: skip
for name in ("report-detail", "report-pdf", "report-json", "report-jws"):
    register(Route(name, "object", factory=report, kwargs=uuid_kwargs, role="auditor"))
for name in ("api-task-certificate", "api-task-certificate-json"):
    register(Route(name, "object", factory=report_build, kwargs=uuid_kwargs, role="auditor"))
