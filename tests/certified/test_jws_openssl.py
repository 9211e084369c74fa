"""The JSON twin's detached JWS checked with OpenSSL, a verifier Fusebox did not write."""

import base64
import json
import shutil
import subprocess

import pytest
from asn1crypto.algos import DSASignature

from certified.signing import b64url_decode


@pytest.fixture
def jws_parts(signed_json, tmp_path):
    if not shutil.which("openssl"):
        pytest.skip("openssl is not installed")
    data, signature = signed_json
    encoded_header, payload, encoded_signature = signature.split(".")
    header = json.loads(b64url_decode(encoded_header))
    leaf = tmp_path / "leaf.der"
    leaf.write_bytes(base64.b64decode(header["x5c"][0]))
    return data, encoded_header, payload, b64url_decode(encoded_signature), header, leaf


def _openssl(*arguments, **options):
    return subprocess.run(["openssl", *arguments], capture_output=True, check=False, **options)


def test_openssl_verifies_the_es256_signature_over_the_reattached_payload(jws_parts, tmp_path):
    data, encoded_header, payload, raw, header, leaf = jws_parts
    signing_input = tmp_path / "signing-input"
    signing_input.write_bytes(
        f"{encoded_header}.".encode() + base64.urlsafe_b64encode(data).rstrip(b"=")
    )
    (tmp_path / "signature.der").write_bytes(DSASignature.from_p1363(raw).dump())
    public_key = _openssl("x509", "-inform", "DER", "-in", str(leaf), "-pubkey", "-noout")
    (tmp_path / "public.pem").write_bytes(public_key.stdout)

    verified = _openssl(
        "dgst",
        "-sha256",
        "-verify",
        str(tmp_path / "public.pem"),
        "-signature",
        str(tmp_path / "signature.der"),
        str(signing_input),
    )

    assert payload == ""
    assert header["alg"] == "ES256"
    assert verified.returncode == 0, verified.stderr
    assert b"Verified OK" in verified.stdout


def test_openssl_rejects_the_signature_over_an_edited_payload(jws_parts, tmp_path):
    data, encoded_header, _, raw, _, leaf = jws_parts
    edited = data.replace(b'"passed":true', b'"passed":false')
    signing_input = tmp_path / "signing-input"
    signing_input.write_bytes(
        f"{encoded_header}.".encode() + base64.urlsafe_b64encode(edited).rstrip(b"=")
    )
    (tmp_path / "signature.der").write_bytes(DSASignature.from_p1363(raw).dump())
    public_key = _openssl("x509", "-inform", "DER", "-in", str(leaf), "-pubkey", "-noout")
    (tmp_path / "public.pem").write_bytes(public_key.stdout)

    verified = _openssl(
        "dgst",
        "-sha256",
        "-verify",
        str(tmp_path / "public.pem"),
        "-signature",
        str(tmp_path / "signature.der"),
        str(signing_input),
    )

    assert verified.returncode != 0


def test_openssl_chains_the_jws_certificate_to_the_report_ca_for_signing(
    jws_parts, ca_file, tmp_path
):
    *_, leaf = jws_parts
    leaf_pem = tmp_path / "leaf.pem"
    _openssl("x509", "-inform", "DER", "-in", str(leaf), "-out", str(leaf_pem))

    verified = _openssl(
        "verify", "-CAfile", str(ca_file), "-purpose", "smimesign", str(leaf_pem), text=True
    )

    assert verified.returncode == 0, verified.stderr
    assert ": OK" in verified.stdout
