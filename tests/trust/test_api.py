"""The DEV-API for trust material: same validation and codes as the console, 422 on refusal."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.trust import pki

pytestmark = pytest.mark.django_db


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def post_ca(api, uploads):
    return api.post(
        "/api/v1/trust/cas/",
        {"name": "Device CA", "file": upload("ca.pem", uploads.ca_pem)},
        format="multipart",
    )


def test_security_uploads_a_ca_and_an_identity_and_reads_their_facts(cast, api_for, uploads, ca):
    api = api_for(cast.a, "security")

    ca_response = post_ca(api, uploads)
    identity_response = api.post(
        "/api/v1/trust/identities/",
        {
            "name": "Retail app",
            "file": upload("id.p12", uploads.identity),
            "password": uploads.identity_password,
        },
        format="multipart",
    )

    assert ca_response.status_code == 201, ca_response.json()
    assert ca_response.json()["subject"] == "CN=Fixture Issuing CA"
    assert len(ca_response.json()["chain"]) == 2
    assert identity_response.status_code == 201, identity_response.json()
    body = identity_response.json()
    assert body["ca"] == ca_response.json()["id"]
    assert body["subject"] == "CN=device-1"
    assert "password" not in body and "private_key_sealed" not in body
    listed = api.get("/api/v1/trust/identities/").json()
    assert [item["id"] for item in listed["results"]] == [body["id"]]


def test_a_wrong_password_is_a_422_with_a_code_and_a_message(cast, api_for, uploads):
    api = api_for(cast.a, "security")
    post_ca(api, uploads)

    response = api.post(
        "/api/v1/trust/identities/",
        {"name": "x", "file": upload("id.p12", uploads.identity), "password": "wrong-pass"},
        format="multipart",
    )

    assert response.status_code == 422
    assert response.json()["code"] == "p12_bad_password"
    assert "password" in response.json()["detail"]
    assert "wrong-pass" not in response.content.decode()


@pytest.mark.parametrize(
    ("make", "code"),
    [
        (lambda ca: pki.pem(ca.client), "not_a_ca"),
        (lambda ca: pki.key_pem(ca.root_key), "pem_private_key_given"),
        (lambda ca: b"garbage", "cert_malformed"),
    ],
)
def test_a_refused_ca_upload_answers_422_with_its_code(cast, api_for, ca, make, code):
    response = api_for(cast.a, "security").post(
        "/api/v1/trust/cas/", {"name": "x", "file": upload("ca", make(ca))}, format="multipart"
    )

    assert response.status_code == 422
    assert response.json()["code"] == code


def test_uploading_the_same_ca_twice_is_refused(cast, api_for, uploads):
    api = api_for(cast.a, "security")
    post_ca(api, uploads)

    assert post_ca(api, uploads).json()["code"] == "already_uploaded"


def test_keystore_passwords_are_write_only(cast, api_for, uploads):
    api = api_for(cast.a, "security")

    response = api.post(
        "/api/v1/trust/keystores/",
        {
            "name": "Release key",
            "file": upload("release.p12", uploads.keystore),
            "alias": "release",
            "store_password": uploads.store_password,
        },
        format="multipart",
    )

    assert response.status_code == 201, response.json()
    assert uploads.store_password not in response.content.decode()
    assert response.json()["alias"] == "release"


def test_a_fingerprint_is_normalised_or_refused(cast, api_for):
    api = api_for(cast.a, "security")

    good = api.post(
        "/api/v1/trust/fingerprints/", {"name": "Play", "sha256": "ab" * 32}, format="json"
    )
    bad = api.post("/api/v1/trust/fingerprints/", {"name": "x", "sha256": "abc"}, format="json")

    assert good.status_code == 201
    assert good.json()["sha256"] == ":".join(["AB"] * 32)
    assert bad.status_code == 422 and bad.json()["code"] == "fingerprint_invalid"


def test_issuing_from_a_ca_with_its_key_creates_an_identity(cast, api_for, ca):
    api = api_for(cast.a, "security")
    created = api.post(
        "/api/v1/trust/cas/",
        {
            "name": "Issuing",
            "file": upload("ca.pem", pki.pem(ca.intermediate)),
            "private_key": upload("ca.key", pki.key_pem(ca.intermediate_key)),
        },
        format="multipart",
    ).json()

    response = api.post(
        f"/api/v1/trust/cas/{created['id']}/issue/",
        {"common_name": "rotated-device", "validity_days": 30},
        format="json",
    )

    assert created["can_issue"] is True
    assert response.status_code == 201, response.json()
    assert response.json()["origin"] == "issued"
    assert "CN=rotated-device" in response.json()["subject"]


def test_a_ca_used_by_an_identity_cannot_be_deleted(cast, api_for, uploads):
    api = api_for(cast.a, "security")
    ca_id = post_ca(api, uploads).json()["id"]
    api.post(
        "/api/v1/trust/identities/",
        {
            "name": "Retail app",
            "file": upload("id.p12", uploads.identity),
            "password": uploads.identity_password,
        },
        format="multipart",
    )

    response = api.delete(f"/api/v1/trust/cas/{ca_id}/")

    assert response.status_code == 422
    assert response.json()["code"] == "material_in_use"
    assert "Retail app" in response.json()["detail"]


def test_devops_can_read_but_not_upload(cast, api_for, uploads):
    response = post_ca(api_for(cast.a, "devops"), uploads)

    assert response.status_code == 403
    assert api_for(cast.a, "devops").get("/api/v1/trust/cas/").status_code == 200


def test_another_organizations_material_is_a_404(cast, api_for, uploads):
    ca_id = post_ca(api_for(cast.a, "security"), uploads).json()["id"]
    other = api_for(cast.b, "security")

    assert other.get(f"/api/v1/trust/cas/{ca_id}/").status_code == 404
    assert other.delete(f"/api/v1/trust/cas/{ca_id}/").status_code == 404
    assert other.get("/api/v1/trust/cas/").json()["results"] == []


def test_the_openapi_schema_documents_the_trust_endpoints_and_error_codes(cast, client):
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)

    assert "/api/v1/trust/identities/" in schema["paths"]
    post = schema["paths"]["/api/v1/trust/identities/"]["post"]
    assert "p12_bad_password" in post["responses"]["422"]["description"]
    request = schema["components"]["schemas"]["ClientIdentityUpload"]
    assert request["properties"]["password"]["writeOnly"] is True


def test_a_keystore_with_an_unknown_alias_is_a_422_listing_the_aliases(cast, api_for, uploads):
    response = api_for(cast.a, "security").post(
        "/api/v1/trust/keystores/",
        {
            "name": "Release",
            "file": upload("ks.p12", uploads.keystore),
            "alias": "relase",
            "store_password": uploads.store_password,
        },
        format="multipart",
    )

    assert response.status_code == 422
    assert response.json()["code"] == "keystore_alias_missing"
    assert "'release'" in response.json()["detail"]


def test_a_jks_keystore_is_a_422_with_the_conversion_command(cast, api_for):
    response = api_for(cast.a, "security").post(
        "/api/v1/trust/keystores/",
        {
            "name": "Old",
            "file": upload("old.jks", b"\xfe\xed\xfe\xed" + bytes(60)),
            "alias": "release",
            "store_password": "whatever-1",
        },
        format="multipart",
    )

    assert response.json()["code"] == "keystore_unsupported_format"


def test_replacing_an_identity_through_the_api_keeps_its_id(cast, api_for, uploads, ca):
    api = api_for(cast.a, "security")
    post_ca(api, uploads)
    first = api.post(
        "/api/v1/trust/identities/",
        {
            "name": "Retail app",
            "file": upload("id.p12", uploads.identity),
            "password": uploads.identity_password,
        },
        format="multipart",
    ).json()
    key, cert = pki.client_cert(ca.intermediate, ca.intermediate_key, "device-renewed")

    response = api.post(
        f"/api/v1/trust/identities/{first['id']}/replace/",
        {
            "file": upload("new.p12", pki.p12(key, cert, "Renew-Pass-1")),
            "password": "Renew-Pass-1",
        },
        format="multipart",
    )

    assert response.status_code == 200, response.json()
    assert response.json()["id"] == first["id"]
    assert response.json()["subject"] == "CN=device-renewed"
    assert response.json()["sha256"] != first["sha256"]
