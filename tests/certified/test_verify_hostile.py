"""Hostile input to the public verification API: always an answer with a code, never a 500."""

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from certified import authority
from tests.vault.keys import use_test_master_key

pytestmark = [pytest.mark.django_db]


@pytest.fixture(autouse=True)
def installation(monkeypatch, tmp_path, settings):
    settings.FUSEBOX_VERIFY_RATE = "10000/minute"
    cache.clear()
    authority._cache.clear()
    use_test_master_key(monkeypatch, tmp_path)
    authority.installation_authority()


FILES = {
    "truncated pdf": b"%PDF-1.7\n1 0 obj\n<<",
    "pdf header only": b"%PDF-",
    "json not utf-8": b'{"schema": "\xff\xfe"}',
    "json array": b"{[1,2,3]",
    "empty zip": b"PK\x03\x04" + b"\x00" * 26,
    "binary noise": bytes(range(256)) * 4,
}
SIGNATURES = ["", "a.b.c", "....", "eyJhbGciOiJub25lIn0..", "x" * 5000, "é" * 10]


@pytest.mark.parametrize("name", sorted(FILES))
@pytest.mark.parametrize("signature", SIGNATURES)
def test_any_file_and_signature_get_an_answer_with_a_code(name, signature):
    form = {"file": SimpleUploadedFile("upload.bin", FILES[name])}
    if signature:
        form["signature"] = signature
    response = APIClient().post("/api/v1/verify", form, format="multipart")

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["valid"] is False and body["reason_code"]


@pytest.mark.parametrize(
    "payload", [{"sha256": ["a"] * 3}, {"sha256": {"x": 1}}, {"sha256": 5}, {"other": "x"}]
)
def test_odd_json_bodies_get_a_code(payload):
    response = APIClient().post("/api/v1/verify", payload, format="json")
    assert response.status_code in (200, 400)
    body = response.json()
    assert body.get("reason_code") or body.get("code")


@pytest.mark.parametrize("payload", [[None, None], "sha256", 5, None])
def test_a_json_body_that_is_not_an_object_is_a_400_saying_what_to_send(payload):
    response = APIClient().post("/api/v1/verify", payload, format="json")
    assert response.status_code == 400, response.content
    assert response.json()["code"] in {"invalid_body", "missing_input"}
    assert "sha256" in response.json()["detail"]


def test_a_report_like_json_signed_by_nobody_is_not_valid():
    import json

    from certified.sample import sample_report_dict

    data = json.dumps(sample_report_dict(audit_events=1)).encode()
    form = {"file": SimpleUploadedFile("r.json", data), "signature": "eyJhbGciOiJFUzI1NiJ9..AAAA"}
    body = APIClient().post("/api/v1/verify", form, format="multipart").json()
    assert body["valid"] is False
    assert body["reason_code"] in {"malformed_signature", "signature_mismatch", "untrusted_signer"}
