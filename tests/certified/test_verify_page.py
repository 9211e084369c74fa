"""The public verification page, ``POST /api/v1/verify`` and the CLI agree on every file."""

import json
import re

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from builds import storage
from certified.cli import EXIT_NOT_VALID, EXIT_VALID, main
from certified.models import CertifiedReport
from console.tenancy import unscoped_access
from tests.certified.integration import *  # noqa: F403
from tests.certified.support import flip_byte, signed_ranges, with_empty_update
from tests.support.android import requires_android_tools

pytestmark = [requires_android_tools, pytest.mark.django_db, pytest.mark.slow]


@pytest.fixture(autouse=True)
def generous_rate(settings):
    settings.FUSEBOX_VERIFY_RATE = "10000/minute"
    cache.clear()


@pytest.fixture
def issued(built, client, tmp_path):
    """The build's report files, its app and the CA, as an auditor would hold them."""
    with unscoped_access():
        report = CertifiedReport.objects.get(build_id=built.pk)
    files = {}
    for name, stored in (("report.pdf", report.pdf_name), ("report.json", report.json_name),
                         ("app.apk", built.output_name)):  # fmt: skip
        with storage.open_file(stored) as handle:
            files[name] = handle.read()
    files["report.json.jws"] = report.jws.encode()
    ca = client.get(reverse("verify-ca")).content
    (tmp_path / "ca.pem").write_bytes(ca)
    return report, files


def _page(client, data: bytes, name: str, jws: bytes | None = None) -> str:
    form = {"file": SimpleUploadedFile(name, data)}
    if jws is not None:
        form["signature"] = SimpleUploadedFile(f"{name}.jws", jws)
    response = client.post(reverse("verify"), form)
    assert response.status_code == 200
    return response.content.decode()


def _api(data: bytes, name: str, jws: bytes | None = None) -> dict:
    form = {"file": SimpleUploadedFile(name, data)}
    if jws is not None:
        form["signature"] = jws.decode()
    response = APIClient().post("/api/v1/verify", form, format="multipart")
    assert response.status_code == 200, response.content
    return response.json()


def _cli(tmp_path, data: bytes, name: str, jws: bytes | None = None) -> int:
    path = tmp_path / name
    path.write_bytes(data)
    if jws is not None:
        (tmp_path / f"{name}.jws").write_bytes(jws)
    return main(["verify-report", str(path), "--ca", str(tmp_path / "ca.pem")])


def _verdict(page: str) -> str:
    return re.search(r'data-verdict="([a-z-]+)"', page).group(1)


def test_the_genuine_report_files_and_app_are_valid_everywhere(issued, client, tmp_path):
    report, files = issued
    pdf, as_json, jws = files["report.pdf"], files["report.json"], files["report.json.jws"]

    for data, name, signature in ((pdf, "r.pdf", None), (as_json, "r.json", jws)):
        page = _page(client, data, name, signature)
        assert _verdict(page) == "valid" and report.report_id in page
        answer = _api(data, name, signature)
        assert answer["valid"] and answer["issued_by_this_fusebox"]
        assert answer["covers_whole_file"] and answer["trusted"] and answer["intact"]
        assert answer["report"]["report_id"] == report.report_id
        assert answer["report"]["package"] == report.package
        assert _cli(tmp_path, data, name, signature) == EXIT_VALID

    app = _api(files["app.apk"], "app.apk")
    assert app["valid"] and app["report"]["output_sha256"] == report.output_sha256
    assert _verdict(_page(client, files["app.apk"], "app.apk")) == "valid"


def _tampered(files):
    pdf, as_json = files["report.pdf"], files["report.json"]
    start, end = signed_ranges(pdf)[1]
    edited = json.loads(as_json)
    edited["app"]["version_name"] = "9.9.9"
    edited_json = json.dumps(edited, sort_keys=True, separators=(",", ":")).encode()
    app = files["app.apk"]
    return {
        "byte flipped": ("r.pdf", flip_byte(pdf, (start + end) // 2), None),
        "update appended": ("r.pdf", with_empty_update(pdf), None),
        "json field edited": ("r.json", edited_json, files["report.json.jws"]),
        "app byte changed": ("app.apk", flip_byte(app, len(app) // 2), None),
    }


@pytest.mark.parametrize(
    ("case", "expected_codes"),
    [
        ("byte flipped", {"signature_broken", "unreadable_pdf", "missing_report_facts"}),
        ("update appended", {"not_whole_file"}),
        ("json field edited", {"signature_mismatch"}),
        ("app byte changed", {"no_report_for_app"}),
    ],
)
def test_a_tampered_file_is_not_valid_on_the_page_the_api_and_the_cli(
    issued, client, tmp_path, case, expected_codes
):
    _report, files = issued
    name, data, jws = _tampered(files)[case]

    answer = _api(data, name, jws)
    assert not answer["valid"] and answer["reason_code"] in expected_codes, answer
    assert answer["report"] is None
    page = _page(client, data, name, jws)
    assert _verdict(page) == "not-valid" and answer["reason_code"] in page
    if name != "app.apk":  # the offline CLI checks reports; apps are looked up online
        assert _cli(tmp_path, data, name, jws) == EXIT_NOT_VALID


def test_a_pasted_sha256_finds_the_app_or_says_it_is_unknown(issued, client):
    report, _files = issued
    found = APIClient().post("/api/v1/verify", {"sha256": report.output_sha256.upper()},
                             format="json").json()  # fmt: skip
    assert found["valid"] and found["report"]["report_id"] == report.report_id
    unknown = APIClient().post("/api/v1/verify", {"sha256": "0" * 64}, format="json").json()
    assert not unknown["valid"] and unknown["reason_code"] == "unknown_sha256"
    page = client.post(reverse("verify"), {"sha256": report.pdf_sha256}).content.decode()
    assert _verdict(page) == "valid"


def test_bad_input_gets_a_stable_code(db, client):
    nothing = APIClient().post("/api/v1/verify", {}, format="json")
    assert nothing.status_code == 400 and nothing.json()["code"] == "missing_input"
    malformed = APIClient().post("/api/v1/verify", {"sha256": "xyz"}, format="json").json()
    assert malformed["reason_code"] == "malformed_sha256"
    text = APIClient().post(
        "/api/v1/verify", {"file": SimpleUploadedFile("a.txt", b"hello")}, format="multipart"
    )
    assert text.json()["reason_code"] == "unknown_file"


def test_a_json_report_without_its_jws_is_refused_with_the_reason(issued):
    _report, files = issued
    answer = _api(files["report.json"], "r.json")
    assert answer["reason_code"] == "signature_missing"


def test_the_qr_link_of_a_report_opens_its_verification(issued, client):
    report, _files = issued
    url = json.loads(_files_json(issued))["verification_url"]
    path = url.split("://", 1)[1].split("/", 1)[1]
    page = client.get(f"/{path}").content.decode()
    assert _verdict(page) == "valid" and report.report_id in page
    assert client.get(reverse("verify-report", args=["FBR-NONE"])).status_code == 404


def _files_json(issued) -> bytes:
    return issued[1]["report.json"]


def test_verification_is_rate_limited_per_address(settings, db, client, monkeypatch):
    from console import ratelimit

    settings.FUSEBOX_VERIFY_RATE = "2/minute"
    monkeypatch.setattr(ratelimit, "clock", lambda: 1_000_020.0)  # mid-window, no rollover
    cache.clear()
    answers = [
        APIClient().post("/api/v1/verify", {"sha256": "0" * 64}, format="json").status_code
        for _ in range(3)
    ]
    assert answers == [200, 200, 429]
    assert client.post(reverse("verify"), {"sha256": "0" * 64}).status_code == 429
