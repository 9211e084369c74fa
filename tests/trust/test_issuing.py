"""Issuing a new client identity from an uploaded CA key."""

import subprocess

import pytest
from cryptography.hazmat.primitives import serialization

from tests.trust import pki
from trust.errors import TrustError
from trust.issuing import issue_client_identity, load_ca_private_key
from trust.validation import validate_client_identity


def test_openssl_verifies_an_issued_identity_as_a_tls_client(ca, tmp_path):
    issued = issue_client_identity(ca.intermediate, ca.intermediate_key, "device-7", 90)
    (tmp_path / "ca.pem").write_bytes(pki.pem(ca.intermediate))
    (tmp_path / "client.pem").write_bytes(pki.pem(issued.certificate))

    result = subprocess.run(
        [
            "openssl",
            "verify",
            "-x509_strict",
            "-purpose",
            "sslclient",
            "-partial_chain",
            "-CAfile",
            str(tmp_path / "ca.pem"),
            str(tmp_path / "client.pem"),
        ],
        capture_output=True,
        text=True,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    data = pki.p12(issued.private_key, issued.certificate, "pw-123456")
    assert validate_client_identity(data, "pw-123456", [ca.intermediate]).anchor is not None


def test_an_issued_identity_never_outlives_its_ca(ca):
    issued = issue_client_identity(ca.root, ca.root_key, "long", 800, key_choice="rsa-2048")

    assert issued.certificate.not_valid_after_utc <= ca.root.not_valid_after_utc


def test_it_refuses_a_ca_key_that_is_not_the_cas_own(ca):
    with pytest.raises(TrustError) as caught:
        issue_client_identity(ca.intermediate, ca.other_root_key, "device", 30)

    assert caught.value.code == "ca_key_mismatch"


@pytest.mark.parametrize(("name", "days"), [("", 30), ("x" * 65, 30), ("ok", 0), ("ok", 5000)])
def test_it_refuses_an_unusable_subject_or_validity(ca, name, days):
    with pytest.raises(TrustError) as caught:
        issue_client_identity(ca.intermediate, ca.intermediate_key, name, days)

    assert caught.value.code == "issue_invalid_request"


def test_it_reads_an_encrypted_ca_key_and_says_when_the_password_is_wrong(ca):
    encrypted = ca.root_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(b"ca-key-pass"),
    )

    assert load_ca_private_key(encrypted, "ca-key-pass").key_size == 2048
    with pytest.raises(TrustError) as caught:
        load_ca_private_key(encrypted, "Tr0ub4dor")
    assert caught.value.code == "ca_key_malformed"
    assert "Tr0ub4dor" not in caught.value.message
