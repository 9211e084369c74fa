"""Signing keystores made by keytool, and private signing fingerprints."""

import subprocess

import pytest
from cryptography.hazmat.primitives import hashes

from tests.trust import pki
from tests.trust.conftest import STORE_PASSWORD
from trust.errors import TrustError
from trust.validation import parse_sha256_fingerprint, validate_signing_keystore


def test_it_reads_the_alias_and_shows_the_same_fingerprint_as_keytool(keystore, tmp_path):
    (tmp_path / "ks.p12").write_bytes(keystore)

    upload = validate_signing_keystore(keystore, "release", STORE_PASSWORD)

    listing = subprocess.run(
        [
            "keytool",
            "-list",
            "-v",
            "-keystore",
            str(tmp_path / "ks.p12"),
            "-alias",
            "release",
            "-storepass:env",
            "P",
        ],
        capture_output=True,
        text=True,
        env={"P": STORE_PASSWORD},
        check=True,
    ).stdout
    assert upload.facts.sha256 in listing
    assert upload.aliases == ["release", "upload"]
    assert upload.certificate.subject.rfc4514_string() == "CN=release,O=Fixture"


def test_it_picks_the_key_of_the_alias_asked_for(keystore):
    upload = validate_signing_keystore(keystore, "upload", STORE_PASSWORD)

    assert upload.alias == "upload"
    assert "CN=upload" in upload.facts.subject


def test_it_rejects_an_alias_that_is_not_in_the_keystore(keystore):
    with pytest.raises(TrustError) as caught:
        validate_signing_keystore(keystore, "relaese", STORE_PASSWORD)

    assert caught.value.code == "keystore_alias_missing"
    assert "'release'" in caught.value.message


def test_it_rejects_a_wrong_store_password(keystore):
    with pytest.raises(TrustError) as caught:
        validate_signing_keystore(keystore, "release", "wrong")

    assert caught.value.code == "keystore_bad_password"


def test_it_rejects_a_wrong_key_password(keystore):
    with pytest.raises(TrustError) as caught:
        validate_signing_keystore(keystore, "release", STORE_PASSWORD, key_password="nope")

    assert caught.value.code == "keystore_bad_password"
    assert "nope" not in caught.value.message


def test_it_explains_how_to_convert_a_jks_keystore():
    with pytest.raises(TrustError) as caught:
        validate_signing_keystore(b"\xfe\xed\xfe\xed" + b"\x00" * 60, "release", "x")

    assert caught.value.code == "keystore_unsupported_format"
    assert "-importkeystore" in caught.value.message


def test_it_rejects_a_truncated_keystore(keystore):
    with pytest.raises(TrustError) as caught:
        validate_signing_keystore(keystore[:200], "release", STORE_PASSWORD)

    assert caught.value.code == "p12_malformed"


@pytest.mark.parametrize(
    "text",
    [
        "ab" * 32,
        ":".join(["AB"] * 32),
        " " + ":".join(["ab"] * 32) + "\n",
    ],
)
def test_it_normalises_sha256_fingerprints(text):
    assert parse_sha256_fingerprint(text) == ":".join(["AB"] * 32)


@pytest.mark.parametrize("text", ["", "ab" * 20, "zz" * 32, "ab" * 33, "AB:CD", "ab:" * 31 + "a"])
def test_it_rejects_fingerprints_that_are_not_sha256(text):
    with pytest.raises(TrustError) as caught:
        parse_sha256_fingerprint(text)

    assert caught.value.code == "fingerprint_invalid"


def test_a_fingerprint_matches_what_cryptography_computes(ca):
    raw = ca.root.fingerprint(hashes.SHA256())

    assert parse_sha256_fingerprint(raw.hex()) == pki.colon(raw)
