"""Auditors read, filter and download reports; they cannot take apps or change anything."""

import pytest
from django.urls import reverse

from certified.models import CertifiedReport
from certified.verify import verify_pdf
from console.tenancy import unscoped_access
from tests.certified.factories import certified_build
from tests.certified.integration import *  # noqa: F403
from tests.support.android import requires_android_tools

pytestmark = [pytest.mark.django_db]


@requires_android_tools
@pytest.mark.slow
def test_an_auditor_lists_filters_and_downloads_reports_but_not_apps(built, cast, client, api_for):
    with unscoped_access():
        report = CertifiedReport.objects.get(build_id=built.pk)
        other = certified_build(cast.a.organization, label="other")
    client.force_login(cast.a.user("auditor"))

    listing = client.get(reverse("report-list")).content.decode()
    assert report.report_id in listing and other.report_id in listing
    filtered = client.get(reverse("report-list"), {"q": report.report_id}).content.decode()
    assert report.report_id in filtered and other.report_id not in filtered
    by_app = client.get(reverse("report-list"), {"q": report.output_sha256}).content.decode()
    assert report.report_id in by_app and other.report_id not in by_app
    failed_only = client.get(reverse("report-list"), {"verdict": "failed"}).content.decode()
    assert report.report_id not in failed_only

    pdf = client.get(reverse("report-pdf", args=[report.pk]))
    assert pdf.status_code == 200
    ca = client.get(reverse("verify-ca")).content
    assert verify_pdf(pdf.content, ca).valid
    as_json = client.get(reverse("report-json", args=[report.pk]))
    assert as_json.status_code == 200 and as_json["Content-Type"] == "application/json"
    detail = client.get(reverse("report-detail", args=[report.pk])).content.decode()
    assert "Download PDF" in detail and detail.count("badge-ok") >= 3  # PDF, JSON, verdict

    assert client.get(reverse("build-download", args=[built.pk])).status_code == 403
    assert client.post(reverse("build-cancel", args=[built.pk])).status_code == 403
    assert client.post(reverse("build-retry", args=[built.pk])).status_code == 403
    assert client.post(reverse("report-pdf", args=[report.pk])).status_code == 405

    api = api_for(cast.a, "auditor")
    assert api.get(f"/api/v1/tasks/{built.pk}/output").status_code == 403
    assert api.get(f"/api/v1/tasks/{built.pk}/certificate").status_code == 200


def test_another_organizations_report_is_not_found_through_the_api(cast, api_for):
    with unscoped_access():
        theirs = certified_build(cast.b.organization)
    api = api_for(cast.a, "owner")
    for suffix in ("certificate", "certificate-json", "certificate-json?format=jws"):
        response = api.get(f"/api/v1/tasks/{theirs.build_id}/{suffix}")
        assert response.status_code == 404, suffix
        assert response.json()["code"] == "task_not_found"
    assert api.get("/api/v1/tasks/not-a-uuid/certificate").status_code == 404


def test_a_task_without_a_report_says_so(cast, api_for):
    from tests.builds.factories import BuildFactory

    build = BuildFactory(organization=cast.a.organization, status="fusing")
    response = api_for(cast.a).get(f"/api/v1/tasks/{build.pk}/certificate")
    assert response.status_code == 404 and response.json()["code"] == "report_not_ready"


def test_the_ca_certificate_is_not_found_before_any_report_was_issued(client, db):
    assert client.get(reverse("verify-ca")).status_code == 404
