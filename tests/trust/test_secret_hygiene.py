"""Secrets never reach the database in clear, the logs, responses or the audit trail."""

import base64
import io
import logging

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from console.tenancy import scope, unscoped_access
from tests.trust import pki
from trust.material import load_identity_for_fusion, load_signer_for_fusion
from trust.models import ClientIdentity, SigningKeystore

pytestmark = pytest.mark.django_db


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def forms_of_key(private_key) -> list[bytes]:
    """The private parts of a key (RSA d, p, q; EC scalar) as raw bytes, hex and base64.

    Only private numbers are searched: a key's DER also holds its public half, which is
    rightly stored in the certificate. Base64 is taken at the three alignments, so a copy
    embedded anywhere in a base64 stream (a PEM, a JSON dump of a binary field) is found.
    """
    numbers = private_key.private_numbers()
    if hasattr(numbers, "d"):
        secrets = [numbers.d, numbers.p, numbers.q]
    else:
        secrets = [numbers.private_value]

    needles = []
    for secret in secrets:
        needles += encodings_of(secret.to_bytes((secret.bit_length() + 7) // 8, "big")[:24])
    return needles


def encodings_of(raw: bytes) -> list[bytes]:
    """raw, hex and base64 (at each alignment, for copies embedded in a longer stream)."""
    forms = [raw, raw.hex().encode(), raw.hex().upper().encode()]
    forms += [base64.b64encode(raw[offset:])[:-4] for offset in range(3)]
    return [form for form in forms if len(form) >= 8]


def assert_absent(haystack: bytes, needles: dict[str, bytes]) -> None:
    found = [label for label, needle in needles.items() if needle in haystack]
    assert found == [], f"found in clear: {found}"


@pytest.fixture
def uploaded_everything(cast, api_for, security_client, uploads, ca, caplog):
    """Upload a CA with its key, identities and a keystore through the API and the console."""
    caplog.set_level(logging.DEBUG)
    api = api_for(cast.a, "security")
    api.post(
        "/api/v1/trust/cas/",
        {
            "name": "CA",
            "file": upload("ca.pem", uploads.ca_pem),
            "private_key": upload("ca.key", pki.key_pem(ca.intermediate_key)),
        },
        format="multipart",
    )
    responses = [
        api.post(
            "/api/v1/trust/identities/",
            {
                "name": "API identity",
                "file": upload("id.p12", uploads.identity),
                "password": uploads.identity_password,
            },
            format="multipart",
        ),
        api.post(
            "/api/v1/trust/identities/",
            {"name": "x", "file": upload("id.p12", uploads.identity), "password": "Wr0ng-Pass"},
            format="multipart",
        ),
        api.post(
            "/api/v1/trust/keystores/",
            {
                "name": "Release",
                "file": upload("ks.p12", uploads.keystore),
                "alias": "release",
                "store_password": uploads.store_password,
            },
            format="multipart",
        ),
    ]
    other_key, other_cert = pki.client_cert(ca.intermediate, ca.intermediate_key, "console-id")
    console_password = "Console-Pass-7755"
    responses.append(
        security_client.post(
            "/trust/identities/new/",
            {
                "name": "Console identity",
                "file": upload("c.p12", pki.p12(other_key, other_cert, console_password)),
                "password": console_password,
            },
        )
    )
    responses.append(
        api.post(
            "/api/v1/trust/keystores/",
            {
                "name": "Upload key",
                "file": upload("ks.p12", uploads.keystore),
                "alias": "upload",
                "store_password": "Wr0ng-Store",
            },
            format="multipart",
        )
    )
    keystore = pkcs12.load_pkcs12(uploads.keystore, uploads.store_password.encode())

    needles = {}
    for label, raw in [
        ("identity password", uploads.identity_password.encode()),
        ("console password", console_password.encode()),
        ("store password", uploads.store_password.encode()),
        ("wrong password", b"Wr0ng-Pass"),
        ("wrong store password", b"Wr0ng-Store"),
        ("keystore bytes", uploads.keystore[-48:]),
    ]:
        for number, needle in enumerate(encodings_of(raw)):
            needles[f"{label} #{number}"] = needle
    for label, key in [
        ("client key", ca.client_key),
        ("console client key", other_key),
        ("CA key", ca.intermediate_key),
        ("keystore key", keystore.key),
    ]:
        for number, needle in enumerate(forms_of_key(key)):
            needles[f"{label} #{number}"] = needle
    return responses, needles


def test_a_database_dump_holds_no_password_or_private_key(uploaded_everything):
    responses, needles = uploaded_everything
    assert [r.status_code for r in responses] == [201, 422, 201, 302, 422]

    dump = io.StringIO()
    with unscoped_access():
        call_command("dumpdata", "--all", stdout=dump)

    assert "private_key_sealed" in dump.getvalue()
    assert_absent(dump.getvalue().encode(), needles)


def test_the_log_output_holds_no_password_or_private_key(uploaded_everything, caplog):
    _responses, needles = uploaded_everything
    records = caplog.get_records("setup")
    text = "\n".join(caplog.handler.format(record) for record in records)

    assert "added to organization" in text and "Unprocessable Entity" in text
    assert_absent(text.encode(), needles)


def test_responses_hold_no_password_or_private_key(uploaded_everything):
    responses, needles = uploaded_everything

    for response in responses:
        assert_absent(response.content, needles)


def test_the_worker_gets_the_same_key_back_and_its_repr_reveals_nothing(
    uploaded_everything, cast, ca, uploads
):
    with scope(cast.a.organization):
        identity = ClientIdentity.objects.get(name="API identity")
        keystore = SigningKeystore.objects.get(name="Release")
        material = load_identity_for_fusion(identity.pk)
        signer = load_signer_for_fusion(keystore.pk)

    key = serialization.load_der_private_key(material.private_key_der, None)
    assert key.private_numbers() == ca.client_key.private_numbers()
    assert signer.store_password == uploads.store_password
    assert signer.keystore == uploads.keystore
    assert uploads.store_password not in repr(signer)
    reopened = pkcs12.load_pkcs12(material.to_pkcs12(b"embed-pass"), b"embed-pass")
    assert reopened.cert.certificate == ca.client


def test_a_sealed_key_copied_to_another_row_does_not_open(uploaded_everything, cast):
    from vault.errors import SecretUnreadable

    with scope(cast.a.organization):
        source = ClientIdentity.objects.get(name="API identity")
        target = ClientIdentity.objects.get(name="Console identity")
        target.private_key_sealed = source.private_key_sealed
        target.save()

        with pytest.raises(SecretUnreadable):
            load_identity_for_fusion(target.pk)


def test_a_sealed_key_copied_to_another_organization_does_not_open(uploaded_everything, cast):
    from vault.errors import SecretUnreadable

    with scope(cast.a.organization):
        source = ClientIdentity.objects.get(name="API identity")
    with scope(cast.b.organization):
        copy = ClientIdentity.objects.create(
            **{
                field.name: getattr(source, field.name)
                for field in ClientIdentity._meta.concrete_fields
                if field.name not in ("id", "organization", "ca", "created_by")
            }
        )

        with pytest.raises(SecretUnreadable):
            load_identity_for_fusion(copy.pk)


@pytest.mark.postgres
def test_a_pg_dump_of_the_database_holds_no_password_or_private_key(
    transactional_db, cast, uploads, ca
):
    import shutil
    import subprocess

    from django.db import connection

    from trust import services

    if connection.vendor != "postgresql" or shutil.which("pg_dump") is None:
        pytest.skip("needs PostgreSQL and pg_dump")
    with scope(cast.a.organization):
        services.create_ca("CA", uploads.ca_pem, private_key=pki.key_pem(ca.intermediate_key))
        services.create_identity("Identity", uploads.identity, uploads.identity_password)
        services.create_keystore("Release", uploads.keystore, "release", uploads.store_password)
    database = connection.settings_dict

    dump = subprocess.run(
        [
            "pg_dump",
            "--data-only",
            "-h",
            database["HOST"] or "127.0.0.1",
            "-p",
            str(database["PORT"] or 5432),
            "-U",
            database["USER"] or "postgres",
            database["NAME"],
        ],
        capture_output=True,
        check=True,
    ).stdout

    keystore_key = pkcs12.load_pkcs12(uploads.keystore, uploads.store_password.encode()).key
    needles = {}
    for label, raw in [
        ("identity password", uploads.identity_password.encode()),
        ("store password", uploads.store_password.encode()),
        ("keystore bytes", uploads.keystore[-48:]),
    ]:
        for number, needle in enumerate(encodings_of(raw)):
            needles[f"{label} #{number}"] = needle
    for label, key in [
        ("client", ca.client_key),
        ("CA", ca.intermediate_key),
        ("ks", keystore_key),
    ]:
        for number, needle in enumerate(forms_of_key(key)):
            needles[f"{label} key #{number}"] = needle
    assert b"Fixture Issuing CA" in dump
    assert_absent(dump, needles)
