"""The sealed identity asset: binding to signer and package, formats accepted, no leaks."""

import hashlib

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12

from tests.runtime import pki
from tests.runtime.conftest import PACKAGE
from workers.engine.errors import EngineError, FusionError
from workers.engine.identity_seal import load_p12, seal_identity, unseal_identity

PKCS12_PBE_OIDS = bytes.fromhex("2a864886f70d010c")  # 1.2.840.113549.1.12 (PKCS#12)
PKCS7_DATA_OID = bytes.fromhex("2a864886f70d010701")
RSA_OID = bytes.fromhex("2a864886f70d010101")
EC_OID = bytes.fromhex("2a8648ce3d0201")


@pytest.fixture(scope="module")
def sealed(p12_files, signer_sha256):
    return seal_identity(
        p12_files["default"], pki.P12_PASSWORD, signer_sha256=signer_sha256, package=PACKAGE
    )


def test_it_unseals_the_identity_for_the_signer_and_package_it_was_sealed_for(
    sealed, signer_sha256, test_pki
):
    material = unseal_identity(sealed.asset, sealed.runtime_secret, signer_sha256, PACKAGE)

    assert material.certificate_chain_der[0] == test_pki.client.cert_der
    assert material.certificate_chain_der[1] == test_pki.client_ca.cert_der
    assert material.key_algorithm == "RSA"
    assert "CN=fusebox-client-01" in material.subject
    assert "CN=Fusebox Test Client CA" in material.issuer
    expected_key = test_pki.client.key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    assert material.private_key_der == expected_key


def test_it_does_not_decrypt_for_another_signer(sealed, test_pki):
    other = hashlib.sha256(test_pki.attacker.cert_der).digest()

    with pytest.raises(EngineError) as error:
        unseal_identity(sealed.asset, sealed.runtime_secret, other, PACKAGE)

    assert error.value.code == "identity_not_decryptable"


def test_it_does_not_decrypt_under_another_package_name(sealed, signer_sha256):
    with pytest.raises(EngineError) as error:
        unseal_identity(sealed.asset, sealed.runtime_secret, signer_sha256, PACKAGE + ".copy")

    assert error.value.code == "identity_not_decryptable"


def test_it_does_not_decrypt_with_the_other_half_of_another_build(sealed, signer_sha256):
    with pytest.raises(EngineError) as error:
        unseal_identity(sealed.asset, bytes(32), signer_sha256, PACKAGE)

    assert error.value.code == "identity_not_decryptable"


@pytest.mark.parametrize("position", [4, 10, 40, -1])
def test_it_detects_any_changed_byte_in_the_asset(sealed, signer_sha256, position):
    tampered = bytearray(sealed.asset)
    tampered[position] ^= 0x80

    with pytest.raises(EngineError) as error:
        unseal_identity(bytes(tampered), sealed.runtime_secret, signer_sha256, PACKAGE)

    assert error.value.code in {"identity_not_decryptable", "identity_asset_malformed"}


def test_the_asset_holds_no_pkcs12_pem_or_der_key_structure(sealed, test_pki):
    key_der = test_pki.client.key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    asset = sealed.asset

    assert b"-----BEGIN" not in asset
    for marker in (PKCS12_PBE_OIDS, PKCS7_DATA_OID, RSA_OID, EC_OID):
        assert marker not in asset
    assert key_der[:64] not in asset
    assert test_pki.client.cert_der[:64] not in asset
    assert b"fusebox-client-01" not in asset
    assert sealed.runtime_secret not in asset
    assert "runtime_secret" not in repr(sealed)


@pytest.mark.parametrize("kind", ["default", "legacy"])
def test_it_reads_identities_exported_by_openssl(p12_files, kind, test_pki):
    material = load_p12(p12_files[kind], pki.P12_PASSWORD)

    assert material.certificate_chain_der[0] == test_pki.client.cert_der
    assert "private_key_der" not in repr(material)


def test_it_accepts_the_password_as_text(p12_files, test_pki):
    material = load_p12(p12_files["default"], pki.P12_PASSWORD.decode())

    assert material.certificate_chain_der[0] == test_pki.client.cert_der


def test_it_rejects_an_oversized_identity_file_before_parsing_it():
    with pytest.raises(EngineError) as error:
        load_p12(b"\x30\x84" + bytes(300 * 1024), pki.P12_PASSWORD)

    assert error.value.code == "p12_too_large"


def test_it_keeps_an_ec_identity_as_ec(p12_files):
    assert load_p12(p12_files["ec"], pki.P12_PASSWORD).key_algorithm == "EC"


def test_it_rejects_a_wrong_password_without_echoing_it(p12_files):
    with pytest.raises(EngineError) as error:
        load_p12(p12_files["default"], b"not-the-password-xyz")

    assert error.value.code == "p12_bad_password"
    assert "not-the-password-xyz" not in str(error.value)
    assert pki.P12_PASSWORD.decode() not in str(error.value)


@pytest.mark.parametrize(
    "data", [b"", b"garbage" * 50, b"-----BEGIN CERTIFICATE-----\nMIIB\n", b"\x30\x03\x02\x01\x01"]
)
def test_it_rejects_garbage_as_a_malformed_p12(data):
    with pytest.raises(EngineError) as error:
        load_p12(data, pki.P12_PASSWORD)

    assert error.value.code == "p12_malformed"


def test_it_rejects_a_p12_that_holds_no_private_key(test_pki):
    data = pkcs12.serialize_key_and_certificates(
        b"client",
        None,
        test_pki.client.cert,
        None,
        serialization.BestAvailableEncryption(pki.P12_PASSWORD),
    )

    with pytest.raises(EngineError) as error:
        load_p12(data, pki.P12_PASSWORD)

    assert error.value.code == "p12_no_key"


def test_it_refuses_a_signer_fingerprint_that_is_not_a_sha256(p12_files):
    with pytest.raises(FusionError) as error:
        seal_identity(
            p12_files["default"], pki.P12_PASSWORD, signer_sha256=b"short", package=PACKAGE
        )

    assert error.value.code == "invalid_argument"


def test_each_seal_uses_a_fresh_secret_and_nonce(p12_files, signer_sha256):
    first = seal_identity(
        p12_files["default"], pki.P12_PASSWORD, signer_sha256=signer_sha256, package=PACKAGE
    )
    second = seal_identity(
        p12_files["default"], pki.P12_PASSWORD, signer_sha256=signer_sha256, package=PACKAGE
    )

    assert first.runtime_secret != second.runtime_secret
    assert first.asset[:49] != second.asset[:49]
