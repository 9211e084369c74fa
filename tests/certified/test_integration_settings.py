"""Deployment choices: an external signer, a timestamp authority, and failing closed."""

import pytest
from cryptography.hazmat.primitives import serialization
from django.urls import reverse

from builds.models import Build
from certified.errors import ReportAuthorityError
from certified.models import CertifiedReport, ReportAuthorityRecord
from certified.verify import verify_pdf
from console.tenancy import unscoped_access
from tests.certified.integration import *  # noqa: F403
from tests.certified.integration import run_build
from tests.support.android import requires_android_tools

pytestmark = [requires_android_tools, pytest.mark.django_db, pytest.mark.slow]


def _pdf(build) -> bytes:
    from certified.services import read_pdf

    with unscoped_access():
        return read_pdf(CertifiedReport.objects.get(build_id=build.pk))


def test_an_externally_issued_signer_signs_reports_and_its_ca_is_published(
    cast, apps, fusion_set_a, sent_steps, settings, tmp_path, authority, client
):
    key = authority.signing_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(b"signer password"),
    )
    files = {
        "cert.pem": authority.signing_certificate.public_bytes(serialization.Encoding.PEM),
        "key.pem": key,
        "ca.pem": authority.ca_certificate_pem(),
    }
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    settings.FUSEBOX_REPORT_SIGNER_CERT_FILE = str(tmp_path / "cert.pem")
    settings.FUSEBOX_REPORT_SIGNER_KEY_FILE = str(tmp_path / "key.pem")
    settings.FUSEBOX_REPORT_CA_FILE = str(tmp_path / "ca.pem")
    settings.FUSEBOX_REPORT_SIGNER_KEY_PASSWORD = "signer password"

    build = run_build(cast.a, apps.upload(cast.a), fusion_set_a)

    assert build.status == Build.SUCCEEDED, build.reason_message
    assert not ReportAuthorityRecord.objects.exists()
    assert client.get(reverse("verify-ca")).content == authority.ca_certificate_pem()
    assert verify_pdf(_pdf(build), authority.ca_certificate_pem()).valid


def test_a_configured_timestamp_authority_makes_the_signature_pades_b_t(
    cast, apps, fusion_set_a, sent_steps, settings, timestamp_url, timestamp_authority
):
    settings.FUSEBOX_REPORT_TSA_URL = timestamp_url
    build = run_build(cast.a, apps.upload(cast.a), fusion_set_a)
    assert build.status == Build.SUCCEEDED, build.reason_message

    ca = ReportAuthorityRecord.objects.get().ca_certificate_pem.encode()
    _stamper, tsa_root = timestamp_authority
    checked = verify_pdf(_pdf(build), ca, timestamp_roots=(tsa_root,))
    assert checked.valid and checked.timestamped and checked.timestamp_trusted


def test_a_build_fails_with_the_reason_when_its_report_cannot_be_signed(
    cast, apps, fusion_set_a, sent_steps, monkeypatch
):
    def refuse(*args, **kwargs):
        raise ReportAuthorityError("the report-signing key cannot be used")

    monkeypatch.setattr("certified.services.issue_report", refuse)
    build = run_build(cast.a, apps.upload(cast.a), fusion_set_a)

    assert build.status == Build.FAILED
    assert build.reason_code == "report_authority"
    with unscoped_access():
        assert not CertifiedReport.objects.filter(build_id=build.pk).exists()
