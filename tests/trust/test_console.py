"""Console pages: upload forms with field-level errors, detail pages, issue, delete."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from console.models import AuditEvent
from console.tenancy import unscoped_access
from tests.trust import pki

pytestmark = pytest.mark.django_db


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def add_ca(client, data, **extra):
    return client.post(
        "/trust/cas/new/", {"name": "Device CA", "file": upload("ca.pem", data), **extra}
    )


def test_the_overview_tells_a_new_team_to_start_with_a_ca(security_client):
    page = security_client.get("/trust/").content.decode()

    assert "No CA certificate yet." in page
    assert 'href="/trust/cas/new/"' in page


def test_uploading_a_ca_leads_to_its_detail_page(security_client, uploads):
    response = add_ca(security_client, uploads.ca_pem)

    assert response.status_code == 302
    page = security_client.get(response["Location"]).content.decode()
    assert "CN=Fixture Issuing CA" in page
    assert "days left" in page
    assert "CN=Fixture Root CA" in page  # the chain
    assert "keyUsage" in page


def test_a_refused_ca_shows_the_message_next_to_the_file_field(security_client, ca):
    response = add_ca(security_client, pki.pem(ca.client))

    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_file_error"' in page
    assert "not a CA certificate" in page and "[not_a_ca]" in page


def test_a_wrong_identity_password_is_shown_next_to_the_password_field(security_client, uploads):
    add_ca(security_client, uploads.ca_pem)

    response = security_client.post(
        "/trust/identities/new/",
        {"name": "App", "file": upload("id.p12", uploads.identity), "password": "nope-nope"},
    )

    page = response.content.decode()
    assert 'id="id_password_error"' in page
    assert "[p12_bad_password]" in page
    assert "nope-nope" not in page


def test_an_identity_upload_shows_subject_issuer_and_ca(security_client, uploads):
    add_ca(security_client, uploads.ca_pem)

    response = security_client.post(
        "/trust/identities/new/",
        {
            "name": "Retail app",
            "file": upload("id.p12", uploads.identity),
            "password": uploads.identity_password,
        },
    )

    page = security_client.get(response["Location"]).content.decode()
    assert "CN=device-1" in page and "Device CA" in page
    assert uploads.identity_password not in page


def test_a_keystore_with_a_wrong_alias_shows_the_error_next_to_the_alias(security_client, uploads):
    response = security_client.post(
        "/trust/keystores/new/",
        {
            "name": "Release",
            "file": upload("k.p12", uploads.keystore),
            "alias": "relase",
            "store_password": uploads.store_password,
        },
    )

    assert 'id="id_alias_error"' in response.content.decode()


def test_issuing_an_identity_from_the_console(security_client, ca, cast):
    response = add_ca(
        security_client,
        pki.pem(ca.intermediate),
        private_key=upload("ca.key", pki.key_pem(ca.intermediate_key)),
    )
    issue_url = response["Location"] + "issue/"

    issued = security_client.post(
        issue_url, {"common_name": "kiosk", "validity_days": 90, "key_choice": "ec-p256"}
    )

    assert issued.status_code == 302
    assert "CN=kiosk" in security_client.get(issued["Location"]).content.decode()
    with unscoped_access():
        actions = list(AuditEvent.objects.values_list("action", flat=True))
    assert "ca.created" in actions and "identity.issued" in actions


def test_devops_sees_the_material_but_no_upload_buttons(client, cast, uploads):
    client.force_login(cast.a.user("devops"))

    page = client.get("/trust/").content.decode()

    assert "Trust material" in page
    assert "/trust/cas/new/" not in page
    assert client.get("/trust/cas/new/").status_code == 403


def test_another_organizations_detail_page_is_a_404(security_client, client, cast, uploads):
    location = add_ca(security_client, uploads.ca_pem)["Location"]
    security_client.logout()
    client.force_login(cast.b.user("security"))

    assert client.get(location).status_code == 404
    assert client.post(location + "delete/").status_code == 404


def test_deleting_a_ca_records_an_audit_event_with_its_fingerprint(security_client, uploads):
    location = add_ca(security_client, uploads.ca_pem)["Location"]

    response = security_client.post(location + "delete/")

    assert response.status_code == 302
    assert security_client.get(location).status_code == 404
    with unscoped_access():
        event = AuditEvent.objects.get(action="ca.deleted")
    assert event.changes["sha256"].count(":") == 31


def test_the_dashboard_warns_about_material_expiring_within_30_days(security_client, ca):
    key = pki.ec_key()
    soon = pki.make_cert(key, "Expiring CA", not_after=pki.NOW + 10 * pki.DAY)
    add_ca(security_client, pki.pem(soon))

    page = security_client.get("/").content.decode()

    assert "Expiring trust material" in page
    assert "Device CA" in page
    assert "days left" in page
