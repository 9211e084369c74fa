"""A master key that disappears while the server runs: 503 with a message, never a 500."""

import logging

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from trust.models import ClientIdentity

pytestmark = pytest.mark.django_db


def identity_form(uploads) -> dict:
    return {
        "name": "Retail app",
        "file": SimpleUploadedFile("id.p12", uploads.identity),
        "password": uploads.identity_password,
    }


def add_ca(client, uploads, url):
    file = SimpleUploadedFile("ca.pem", uploads.ca_pem)
    return client.post(url, {"name": "Device CA", "file": file})


def test_the_console_answers_503_and_logs_what_to_restore(
    security_client, uploads, master_key_file, caplog
):
    add_ca(security_client, uploads, "/trust/cas/new/")
    master_key_file.unlink()

    with caplog.at_level(logging.ERROR, logger="vault.unavailable"):
        response = security_client.post("/trust/identities/new/", identity_form(uploads))

    assert response.status_code == 503
    page = response.content.decode()
    assert "cannot read its encryption keys" in page
    assert str(master_key_file) not in page and uploads.identity_password not in page
    assert "FUSEBOX_MASTER_KEY_FILE" in caplog.text and str(master_key_file) in caplog.text
    assert uploads.identity_password not in caplog.text
    assert not ClientIdentity.unscoped.exists()


def test_the_api_answers_503_vault_unavailable(cast, api_for, uploads, master_key_file, caplog):
    api = api_for(cast.a, "security")
    assert add_ca(api, uploads, "/api/v1/trust/cas/").status_code == 201
    master_key_file.write_text("")

    with caplog.at_level(logging.ERROR, logger="vault.unavailable"):
        response = api.post("/api/v1/trust/identities/", identity_form(uploads))

    assert response.status_code == 503
    assert response.json()["code"] == "vault_unavailable"
    assert str(master_key_file) not in response.content.decode()
    assert "holds no key" in caplog.text
    assert not ClientIdentity.unscoped.exists()
