"""Client identities (PKCS#12 + password) checked against the organization's CAs."""

import subprocess

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID

from tests.trust import pki
from trust.errors import TrustError
from trust.validation import validate_client_identity

PASSWORD = "correct horse 42"


def rejected(data: bytes, cas, password: str = PASSWORD) -> TrustError:
    with pytest.raises(TrustError) as caught:
        validate_client_identity(data, password, cas)
    assert password not in caught.value.message
    return caught.value


def test_it_accepts_an_identity_that_chains_through_its_bundle_to_the_root(ca):
    data = pki.p12(ca.client_key, ca.client, PASSWORD, cas=[ca.intermediate])

    identity = validate_client_identity(data, PASSWORD, [ca.root])

    assert identity.certificate == ca.client
    assert identity.anchor == ca.root
    assert identity.facts.subject == "CN=device-1"


def test_it_accepts_an_identity_issued_directly_by_an_uploaded_ca(ca):
    data = pki.p12(ca.client_key, ca.client, PASSWORD)

    identity = validate_client_identity(data, PASSWORD, [ca.other_root, ca.intermediate])

    assert identity.anchor == ca.intermediate


def test_it_accepts_a_client_certificate_without_extended_key_usage(ca):
    key, cert = pki.client_cert(ca.intermediate, ca.intermediate_key, "no-eku", eku=None)
    data = pki.p12(key, cert, PASSWORD)

    assert validate_client_identity(data, PASSWORD, [ca.intermediate]).certificate == cert


def test_it_rejects_a_wrong_password_with_a_message(ca):
    data = pki.p12(ca.client_key, ca.client, PASSWORD)

    error = rejected(data, [ca.intermediate], password="not the password")

    assert error.code == "p12_bad_password"
    assert "password" in error.message


def test_it_rejects_a_p12_without_a_private_key(ca):
    data = pkcs12.serialize_key_and_certificates(
        None, None, None, [ca.client], serialization.BestAvailableEncryption(b"x" * 8)
    )

    assert rejected(data, [ca.intermediate], password="x" * 8).code == "p12_no_key"


def test_it_rejects_a_p12_whose_key_does_not_match_its_certificate(ca, tmp_path):
    other_key = pki.ec_key()
    data = pki.unprotected_p12(other_key, ca.client)

    assert rejected(data, [ca.intermediate]).code == "p12_key_mismatch"


def test_it_rejects_a_p12_with_several_keys(ca, keystore):
    from tests.trust.conftest import STORE_PASSWORD

    error = rejected(keystore, [ca.intermediate], password=STORE_PASSWORD)

    assert error.code == "p12_several_keys"


def test_it_rejects_a_p12_that_does_not_chain_to_the_ca(ca):
    data = pki.p12(ca.client_key, ca.client, PASSWORD)

    error = rejected(data, [ca.other_root])

    assert error.code == "p12_not_issued_by_ca"
    assert "Fixture Issuing CA" in error.message


def test_it_rejects_an_identity_when_the_organization_has_no_ca(ca):
    data = pki.p12(ca.client_key, ca.client, PASSWORD)

    assert rejected(data, []).code == "no_ca_certificates"


def test_it_rejects_a_client_certificate_without_client_auth(ca):
    key, cert = pki.client_cert(
        ca.intermediate, ca.intermediate_key, "server", eku=[ExtendedKeyUsageOID.SERVER_AUTH]
    )

    error = rejected(pki.p12(key, cert, PASSWORD), [ca.intermediate])

    assert error.code == "missing_client_auth"


def test_it_rejects_an_expired_client_certificate(ca):
    key, cert = pki.client_cert(
        ca.intermediate,
        ca.intermediate_key,
        "old",
        not_before=pki.NOW - 30 * pki.DAY,
        not_after=pki.NOW - pki.DAY,
    )

    assert rejected(pki.p12(key, cert, PASSWORD), [ca.intermediate]).code == "cert_expired"


def test_it_rejects_a_client_certificate_that_is_not_yet_valid(ca):
    key, cert = pki.client_cert(
        ca.intermediate,
        ca.intermediate_key,
        "future",
        not_before=pki.NOW + pki.DAY,
        not_after=pki.NOW + 30 * pki.DAY,
    )

    error = rejected(pki.p12(key, cert, PASSWORD), [ca.intermediate])

    assert error.code == "cert_not_yet_valid"


def test_it_rejects_a_client_with_an_rsa_1024_key(ca, tmp_path):
    key, cert = pki.client_cert(ca.intermediate, ca.intermediate_key, "small", pki.rsa_key(1024))

    data = pki.openssl_p12(tmp_path, key, cert, PASSWORD)

    assert rejected(data, [ca.intermediate]).code == "weak_key"


def test_it_loads_a_legacy_rc2_3des_file_from_openssl(ca, tmp_path):
    data = pki.openssl_p12(tmp_path, ca.client_key, ca.client, PASSWORD, legacy=True)

    identity = validate_client_identity(data, PASSWORD, [ca.intermediate])

    assert identity.legacy_algorithms == ["3DES", "RC2-40"]


def test_it_advises_aes_when_a_legacy_file_does_not_open(ca, tmp_path):
    data = pki.openssl_p12(tmp_path, ca.client_key, ca.client, PASSWORD, legacy=True)

    error = rejected(data, [ca.intermediate], password="wrong")

    assert error.code == "p12_bad_password"
    assert "AES" in error.message


def test_it_loads_a_modern_openssl_file(ca, tmp_path):
    data = pki.openssl_p12(tmp_path, ca.client_key, ca.client, PASSWORD)

    assert validate_client_identity(data, PASSWORD, [ca.intermediate]).legacy_algorithms == []


@pytest.mark.parametrize(
    "data", [b"garbage garbage garbage", b"\x30\x03\x02\x01\x03", b"\x00" * 64]
)
def test_it_rejects_garbage_as_malformed(ca, data):
    assert rejected(data, [ca.intermediate]).code == "p12_malformed"


def test_it_rejects_a_truncated_p12_as_malformed(ca):
    data = pki.p12(ca.client_key, ca.client, PASSWORD)

    assert rejected(data[: len(data) - 40], [ca.intermediate]).code == "p12_malformed"


def test_it_rejects_a_pem_key_given_as_an_identity(ca):
    data = pki.key_pem(ca.client_key) + pki.pem(ca.client)

    error = rejected(data, [ca.intermediate])

    assert error.code == "p12_malformed"
    assert "openssl pkcs12 -export" in error.message


def test_openssl_reads_the_identity_the_same_way(ca, tmp_path):
    data = pki.p12(ca.client_key, ca.client, PASSWORD, cas=[ca.intermediate])
    (tmp_path / "id.p12").write_bytes(data)

    result = subprocess.run(
        ["openssl", "pkcs12", "-in", str(tmp_path / "id.p12"), "-nokeys", "-passin", "env:P"],
        capture_output=True,
        text=True,
        env={"P": PASSWORD},
        check=True,
    )

    assert result.stdout.count("BEGIN CERTIFICATE") == 2
    validate_client_identity(data, PASSWORD, [ca.root])


def test_it_accepts_an_identity_made_with_the_openssl_cli_and_refuses_a_v1_certificate(tmp_path):
    """The everyday path: `openssl req -x509` CA, `openssl x509 -req` client, `pkcs12 -export`."""
    from trust.validation import validate_ca_upload

    def openssl(*arguments):
        subprocess.run(["openssl", *arguments], cwd=tmp_path, check=True, capture_output=True)

    openssl(
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
        "-days",
        "30",
        "-subj",
        "/CN=Acme Device CA/O=Acme",
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign,cRLSign",
    )
    openssl(
        "req",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
        "-keyout",
        "client.key",
        "-out",
        "client.csr",
        "-subj",
        "/CN=app-client",
    )
    (tmp_path / "client.ext").write_text(
        "extendedKeyUsage=clientAuth\nkeyUsage=critical,digitalSignature\n"
    )
    for name, extra in [("v3", ["-extfile", "client.ext"]), ("v1", [])]:
        openssl(
            "x509",
            "-req",
            "-in",
            "client.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-days",
            "10",
            "-out",
            f"{name}.pem",
            *extra,
        )
        openssl(
            "pkcs12",
            "-export",
            "-in",
            f"{name}.pem",
            "-inkey",
            "client.key",
            "-out",
            f"{name}.p12",
            "-passout",
            f"pass:{PASSWORD}",
        )
    cas = validate_ca_upload((tmp_path / "ca.pem").read_bytes()).certificates

    identity = validate_client_identity((tmp_path / "v3.p12").read_bytes(), PASSWORD, cas)
    error = rejected((tmp_path / "v1.p12").read_bytes(), cas)

    assert identity.facts.subject == "CN=app-client"
    assert error.code == "cert_not_x509v3"
