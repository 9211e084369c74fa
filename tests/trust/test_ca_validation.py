"""CA uploads: every good and bad shape a security team might send, with its error code."""

import datetime

import pytest
from cryptography.hazmat.primitives import hashes

from tests.trust import pki
from trust.errors import TrustError
from trust.validation import MAX_CA_CERTIFICATES, validate_ca_upload


def rejected(data: bytes) -> TrustError:
    with pytest.raises(TrustError) as caught:
        validate_ca_upload(data)
    return caught.value


def test_it_accepts_a_pem_root_ca_and_reports_its_facts(ca):
    upload = validate_ca_upload(pki.pem(ca.root))

    facts = upload.facts[0]
    assert facts.subject == "CN=Fixture Root CA"
    assert facts.key_type == "RSA" and facts.key_size == 2048
    assert facts.sha256 == pki.colon(ca.root.fingerprint(hashes.SHA256()))
    assert facts.is_ca
    assert any(line.startswith("basicConstraints") for line in facts.extensions)


def test_it_accepts_a_der_ca(ca):
    upload = validate_ca_upload(pki.der(ca.intermediate))

    assert upload.primary == ca.intermediate
    assert upload.facts[0].key_type == "EC P-256"


def test_it_accepts_a_bundle_in_chain_order(ca):
    upload = validate_ca_upload(pki.pem(ca.intermediate, ca.root))

    assert upload.certificates == [ca.intermediate, ca.root]


def test_it_rejects_a_bundle_in_the_wrong_order(ca):
    assert rejected(pki.pem(ca.root, ca.intermediate)).code == "chain_out_of_order"


def test_it_rejects_a_bundle_of_unrelated_cas(ca):
    assert rejected(pki.pem(ca.root, ca.other_root)).code == "chain_out_of_order"


def test_it_rejects_a_ca_with_an_rsa_1024_key():
    key = pki.rsa_key(1024)

    error = rejected(pki.pem(pki.make_cert(key, "Small CA")))

    assert error.code == "weak_key"
    assert "1024-bit" in error.message


def test_it_rejects_a_ca_on_a_curve_other_than_p256_or_p384():
    from cryptography.hazmat.primitives.asymmetric import ec

    key = ec.generate_private_key(ec.SECP521R1())

    assert rejected(pki.pem(pki.make_cert(key, "P-521 CA"))).code == "weak_key"


@pytest.mark.parametrize("digest", ["sha1", "md5"])
def test_it_rejects_a_ca_signed_with_a_broken_hash(digest, tmp_path):
    error = rejected(pki.openssl_self_signed_ca(tmp_path, digest))

    assert error.code == "weak_signature"
    assert digest.upper() in error.message


def test_it_rejects_an_expired_ca():
    key = pki.ec_key()
    cert = pki.make_cert(
        key, "Expired CA", not_before=pki.NOW - 40 * pki.DAY, not_after=pki.NOW - pki.DAY
    )

    error = rejected(pki.pem(cert))

    assert error.code == "cert_expired"
    assert "expired on" in error.message


def test_it_rejects_a_ca_that_is_not_yet_valid():
    key = pki.ec_key()
    cert = pki.make_cert(
        key, "Future CA", not_before=pki.NOW + pki.DAY, not_after=pki.NOW + 40 * pki.DAY
    )

    assert rejected(pki.pem(cert)).code == "cert_not_yet_valid"


def test_it_rejects_a_certificate_without_ca_basic_constraints():
    key = pki.ec_key()

    assert rejected(pki.pem(pki.make_cert(key, "Not a CA", ca=False))).code == "not_a_ca"


def test_it_rejects_a_ca_without_key_cert_sign_usage():
    key = pki.ec_key()
    cert = pki.make_cert(key, "No keyCertSign", ca=True, key_cert_sign=False)

    assert rejected(pki.pem(cert)).code == "not_a_ca"


def test_it_rejects_a_leaf_uploaded_as_a_ca(ca):
    error = rejected(pki.pem(ca.client))

    assert error.code == "not_a_ca"
    assert "device-1" in error.message


def test_it_rejects_a_pem_private_key_uploaded_as_a_ca(ca):
    error = rejected(pki.key_pem(ca.root_key))

    assert error.code == "pem_private_key_given"
    assert "PRIVATE KEY-----" not in error.message


def test_it_rejects_a_der_private_key_uploaded_as_a_ca(ca):
    assert rejected(pki.key_der(ca.root_key)).code == "pem_private_key_given"


def test_it_rejects_a_certificate_and_key_pasted_together(ca):
    data = pki.pem(ca.root) + pki.key_pem(ca.root_key)

    assert rejected(data).code == "pem_private_key_given"


@pytest.mark.parametrize("data", [b"hello, this is not a certificate", b"\x30\x82\x01"])
def test_it_rejects_garbage(data):
    assert rejected(data).code == "cert_malformed"


def test_it_rejects_a_truncated_pem(ca):
    data = pki.pem(ca.root)

    assert rejected(data[: len(data) // 2]).code == "cert_malformed"


def test_it_rejects_a_truncated_der(ca):
    data = pki.der(ca.root)

    assert rejected(data[:-20]).code == "cert_malformed"


def test_it_rejects_an_empty_file():
    assert rejected(b"").code == "file_empty"


def test_it_rejects_an_oversized_file(ca):
    data = pki.pem(ca.root) + b"\n" * (300 * 1024)

    assert rejected(data).code == "file_too_large"


def test_it_rejects_a_bundle_over_the_certificate_cap(ca):
    data = pki.pem(*([ca.root] * (MAX_CA_CERTIFICATES + 1)))

    assert rejected(data).code == "too_many_certificates"


def test_it_checks_validity_against_the_time_given(ca):
    later = ca.root.not_valid_after_utc + datetime.timedelta(days=1)

    with pytest.raises(TrustError) as caught:
        validate_ca_upload(pki.pem(ca.root), now=later)

    assert caught.value.code == "cert_expired"


def test_openssl_agrees_the_accepted_ca_is_a_ca(ca, tmp_path):
    import subprocess

    path = tmp_path / "ca.pem"
    path.write_bytes(pki.pem(ca.root))

    text = subprocess.run(
        ["openssl", "x509", "-in", str(path), "-noout", "-text"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout

    assert "CA:TRUE" in text and "Certificate Sign" in text
    validate_ca_upload(path.read_bytes())


@pytest.mark.parametrize("output_format", ["PEM", "DER"])
def test_it_accepts_a_pkcs7_bundle_from_openssl_and_orders_the_chain(ca, tmp_path, output_format):
    import subprocess

    (tmp_path / "bundle.pem").write_bytes(pki.pem(ca.root, ca.intermediate))
    subprocess.run(
        [
            "openssl",
            "crl2pkcs7",
            "-nocrl",
            "-certfile",
            str(tmp_path / "bundle.pem"),
            "-outform",
            output_format,
            "-out",
            str(tmp_path / "bundle.p7b"),
        ],
        check=True,
        capture_output=True,
    )

    upload = validate_ca_upload((tmp_path / "bundle.p7b").read_bytes())

    assert upload.certificates == [ca.intermediate, ca.root]
