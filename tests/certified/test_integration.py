"""Every successful build carries a signed PDF and JSON report that outside tools accept."""

import hashlib
import shutil
import subprocess

import pytest
from django.urls import reverse
from PIL import Image, ImageStat

from builds import storage
from builds.models import Build
from certified.models import CertifiedReport, ReportAuthorityRecord
from certified.report import parse_report_json
from certified.verify import verify_json, verify_pdf
from console.models import AuditEvent
from console.tenancy import scope, unscoped_access
from tests.certified.integration import *  # noqa: F403
from tests.certified.integration import nss_for, run_build
from tests.certified.support import pdfsig
from tests.support.android import requires_android_tools
from workers.pipeline import execute_step

pytestmark = [requires_android_tools, pytest.mark.django_db, pytest.mark.slow]


def _ca(client) -> bytes:
    response = client.get(reverse("verify-ca"))
    assert response.status_code == 200
    return response.content


def test_a_successful_build_has_a_pdf_and_a_json_report_signed_by_the_published_ca(
    built, cast, api_for, client, tmp_path
):
    api = api_for(cast.a, "auditor")
    pdf = api.get(f"/api/v1/tasks/{built.pk}/certificate")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    as_json = api.get(f"/api/v1/tasks/{built.pk}/certificate-json")
    assert as_json.status_code == 200
    jws = api.get(f"/api/v1/tasks/{built.pk}/certificate-json?format=jws").content.decode()
    assert jws == as_json["X-Fusebox-Report-JWS"]
    unknown = api.get(f"/api/v1/tasks/{built.pk}/certificate-json?format=xml")
    assert unknown.status_code == 400 and unknown.json()["code"] == "invalid_format"
    assert (
        api.get(f"/api/v1/tasks/{built.pk}/certificate", HTTP_ACCEPT="application/pdf").status_code
        == 200
    )

    ca = _ca(client)
    checked = verify_pdf(pdf.content, ca)
    assert checked.valid, checked.reason
    assert checked.intact and checked.trusted and checked.covers_whole_file
    assert verify_json(as_json.content, jws, ca).valid

    facts = parse_report_json(as_json.content)
    app = built.app
    assert facts.build_id == str(built.pk)
    assert facts.verdict.passed
    assert facts.input.sha256 == app.sha256
    assert facts.output.sha256 == built.output_sha256
    with storage.open_file(built.output_name) as handle:
        assert facts.output.sha256 == hashlib.sha256(handle.read()).hexdigest()
    assert facts.output_signer.certificate_sha256 == built.signer_sha256
    assert facts.fusion_set.id == str(built.fusion_set_id)
    assert facts.fusion_set.revision == built.plan["revision_number"]
    assert [step.step for step in facts.timeline] == [
        "queued", "validating", "fusing", "signing", "certifying",
    ]  # fmt: skip
    assert facts.requester.name == built.requested_by_label
    assert any(event.action == "build.started" for event in facts.audit_events) or any(
        event.scope == "build" for event in facts.audit_events
    )
    assert any(event.scope == "fusion_set" for event in facts.audit_events)
    assert facts.verification_url.endswith(f"/verify/{facts.report_id}")
    assert {p.feature for p in facts.protections} >= {"mTLS Pre-Authentication"}
    assert all(p.status == "verified" for p in facts.protections)


def test_pdfsig_with_an_nss_database_trusting_the_ca_accepts_the_report(built, tmp_path, client):
    if not shutil.which("pdfsig") or not shutil.which("certutil"):
        pytest.skip("poppler-utils and libnss3-tools are needed for pdfsig")
    with unscoped_access():
        report = CertifiedReport.objects.get(build_id=built.pk)
    path = tmp_path / "report.pdf"
    with storage.open_file(report.pdf_name) as handle:
        path.write_bytes(handle.read())
    (tmp_path / "nss").mkdir()

    text = pdfsig(nss_for(tmp_path / "nss", _ca(client)), path)

    assert "Signature is Valid" in text, text
    assert "Certificate is Trusted" in text, text
    assert "Total document signed" in text, text


def test_the_report_keys_are_stored_only_sealed_and_one_ca_serves_every_build(
    built, cast, apps, fusion_set_b, sent_steps
):
    second = run_build(cast.b, apps.upload(cast.b), fusion_set_b)
    assert second.status == Build.SUCCEEDED, second.reason_message

    record = ReportAuthorityRecord.objects.get()
    assert b"PRIVATE KEY" not in bytes(record.wrapped_signing_key)
    with unscoped_access():
        signers = set(CertifiedReport.objects.values_list("signer_sha256", flat=True))
        assert CertifiedReport.objects.count() == 2
    assert len(signers) == 1
    with unscoped_access():
        signed = AuditEvent.objects.filter(action="report.signed", target_id=str(built.pk))
        assert signed.exists()


def test_a_build_whose_output_lacks_the_runtime_fails_instead_of_being_certified(
    cast, apps, fusion_set_a, sent_steps, fixture_app
):
    with scope(cast.a.organization):
        from builds import services

        build = services.start_build(
            apps.upload(cast.a), fusion_set_a, actor=cast.a.user("devops")
        )
        for step in (Build.VALIDATING, Build.FUSING, Build.SIGNING):
            current = Build.objects.get(pk=build.pk)
            execute_step(str(build.pk), step, current.dispatch)
        current = Build.objects.get(pk=build.pk)
        assert current.status == Build.CERTIFYING
        storage.put_file(current.output_name, fixture_app)  # an app never fused

        execute_step(str(build.pk), Build.CERTIFYING, current.dispatch)
        failed = Build.objects.get(pk=build.pk)

    assert failed.status == Build.FAILED
    assert failed.reason_code == "protection_not_present"
    with unscoped_access():
        assert not CertifiedReport.objects.filter(build_id=build.pk).exists()


def test_the_build_page_links_its_report(built, cast, client):
    with unscoped_access():
        report = CertifiedReport.objects.get(build_id=built.pk)
    client.force_login(cast.a.user("auditor"))
    page = client.get(reverse("build-detail", args=[built.pk])).content.decode()
    assert reverse("report-detail", args=[report.pk]) in page
    assert report.report_id in page


def test_the_first_page_of_a_build_report_is_not_blank_and_its_qr_code_links_here(built, tmp_path):
    if not shutil.which("pdftoppm"):
        pytest.skip("pdftoppm (poppler-utils) is not installed")
    with unscoped_access():
        report = CertifiedReport.objects.get(build_id=built.pk)
    path = tmp_path / "report.pdf"
    with storage.open_file(report.pdf_name) as handle:
        path.write_bytes(handle.read())
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(path), str(tmp_path / "p")],
        check=True,
    )
    png = next(tmp_path.glob("p*.png"))
    image = Image.open(png).convert("L")
    assert ImageStat.Stat(image).var[0] > 500, "the first page rendered nearly blank"
    text = subprocess.run(["pdftotext", "-l", "1", str(path), "-"], capture_output=True,
                          text=True).stdout  # fmt: skip
    assert "PASSED" in text and built.app.package in text and report.report_id in text

    if not shutil.which("zbarimg"):
        pytest.skip("zbarimg (zbar-tools) is not installed")
    decoded = subprocess.run(["zbarimg", "--quiet", "--raw", str(png)], capture_output=True,
                             text=True)  # fmt: skip
    assert decoded.stdout.strip().endswith(f"/verify/{report.report_id}")


def test_a_privately_signed_build_is_certified_as_bound_to_its_future_signer(
    cast, apps, fusion_set_a, sent_steps, settings
):
    settings.FUSEBOX_PUBLIC_URL = "https://fusebox.example.org/"
    fingerprint = "ab" * 32
    overrides = {"signing": {"method": "private", "fingerprints": [fingerprint]}}
    build = run_build(cast.a, apps.upload(cast.a), fusion_set_a, overrides=overrides)
    assert build.status == Build.SUCCEEDED, build.reason_message

    from certified.services import read_json

    with unscoped_access():
        facts = parse_report_json(read_json(CertifiedReport.objects.get(build_id=build.pk)))
    assert facts.output_signer.schemes == ()
    assert facts.output_signer.certificate_sha256 == fingerprint
    assert facts.verdict.passed
    assert facts.verification_url == f"https://fusebox.example.org/verify/{facts.report_id}"
