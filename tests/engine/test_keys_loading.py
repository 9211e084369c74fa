"""Loading release keys: keytool PKCS#12 stores and PEM files, and the refusals."""

import pytest
from cryptography.hazmat.primitives import hashes

from tests.engine.signing_fixtures import PEM_PASSWORD, keytool_keystore, write_pem_pair
from tests.support.android import requires_android_tools
from workers.engine.errors import SigningError
from workers.engine.signing import load_signer


def _error(**kwargs) -> SigningError:
    with pytest.raises(SigningError) as raised:
        load_signer(**kwargs)
    return raised.value


@requires_android_tools
@pytest.mark.parametrize("store", ["rsa_keystore", "ec_keystore"])
def test_it_loads_the_only_key_of_a_keytool_store_without_an_alias(store, request):
    keystore = request.getfixturevalue(store)

    signer = load_signer(keystore=keystore.path, password=keystore.password.encode())

    assert signer.key_kind == ("RSA" if store == "rsa_keystore" else "EC")
    assert "Fixture" in signer.certificate.subject.rfc4514_string()
    assert signer.certificate_sha256 == signer.certificate.fingerprint(hashes.SHA256()).hex()


@requires_android_tools
def test_it_accepts_the_right_alias_in_any_case(rsa_keystore):
    signer = load_signer(
        keystore=rsa_keystore.path,
        alias=rsa_keystore.alias.upper(),
        password=rsa_keystore.password.encode(),
    )

    assert signer.key_kind == "RSA"


@requires_android_tools
def test_it_rejects_a_wrong_store_password_without_echoing_it(rsa_keystore):
    error = _error(keystore=rsa_keystore.path, password=b"not-the-password-42")

    assert error.code == "keystore_bad_password"
    assert "not-the-password-42" not in str(error)
    assert "password file" in error.message


@requires_android_tools
def test_it_asks_for_a_password_when_none_is_given(rsa_keystore):
    assert _error(keystore=rsa_keystore.path).code == "keystore_bad_password"


@requires_android_tools
def test_it_rejects_an_alias_the_store_does_not_hold(rsa_keystore):
    error = _error(
        keystore=rsa_keystore.path, alias="upload", password=rsa_keystore.password.encode()
    )

    assert error.code == "keystore_alias_missing"
    assert "'upload'" in error.message and "'release'" in error.message


def test_it_rejects_a_file_that_is_not_a_pkcs12_store(tmp_path):
    garbage = tmp_path / "store.p12"
    garbage.write_bytes(b"\xfe\xed\xfe\xed" + bytes(200))  # the JKS magic

    error = _error(keystore=garbage, password=b"whatever")

    assert error.code == "keystore_malformed"
    assert "importkeystore" in error.message


@requires_android_tools
@pytest.mark.parametrize(
    ("key_args", "detail"),
    [
        (["-keyalg", "RSA", "-keysize", "1024"], "1024"),
        (["-keyalg", "DSA", "-keysize", "2048"], "DSA"),
    ],
)
def test_it_refuses_keytool_keys_android_signing_here_does_not_accept(tmp_path, key_args, detail):
    keystore = keytool_keystore(tmp_path / "weak", key_args)

    error = _error(keystore=keystore.path, password=keystore.password.encode())

    assert error.code == "signing_key_unsupported"
    assert detail in error.message


@pytest.mark.parametrize("kind", ["rsa2048", "rsa4096", "ec256", "ec384"])
def test_it_loads_pem_pkcs8_keys_with_their_certificate(tmp_path, kind):
    pair = write_pem_pair(tmp_path, kind)

    signer = load_signer(key_pem=pair.key, cert_pem=pair.cert)

    assert signer.certificate_sha256 == pair.sha256
    assert signer.sign(b"payload")


@pytest.mark.parametrize("traditional", [False, True])
def test_it_loads_encrypted_pem_keys_with_the_key_password(tmp_path, traditional):
    pair = write_pem_pair(tmp_path, "rsa2048", encrypted=True, traditional=traditional)

    signer = load_signer(key_pem=pair.key, cert_pem=pair.cert, key_password=PEM_PASSWORD)

    assert signer.certificate_sha256 == pair.sha256


def test_it_says_an_encrypted_pem_key_needs_its_password(tmp_path):
    pair = write_pem_pair(tmp_path, "ec256", encrypted=True)

    assert _error(key_pem=pair.key, cert_pem=pair.cert).code == "key_bad_password"
    wrong = _error(key_pem=pair.key, cert_pem=pair.cert, key_password=b"wrong-pem-pass")
    assert wrong.code == "key_bad_password"
    assert "wrong-pem-pass" not in str(wrong)


@pytest.mark.parametrize("kind", ["rsa1024", "ec521", "dsa"])
def test_it_refuses_pem_keys_of_unsupported_types(tmp_path, kind):
    pair = write_pem_pair(tmp_path, kind)

    assert _error(key_pem=pair.key, cert_pem=pair.cert).code == "signing_key_unsupported"


def test_it_refuses_a_certificate_that_belongs_to_another_key(tmp_path):
    first = write_pem_pair(tmp_path / "a", "rsa2048")
    second = write_pem_pair(tmp_path / "b", "rsa2048")

    assert _error(key_pem=first.key, cert_pem=second.cert).code == "signing_key_mismatch"


def test_it_reports_unreadable_pem_files(tmp_path):
    pair = write_pem_pair(tmp_path, "ec256")
    not_a_key = tmp_path / "notes.txt"
    not_a_key.write_text("hello")

    assert _error(key_pem=not_a_key, cert_pem=pair.cert).code == "key_malformed"
    assert _error(key_pem=pair.key, cert_pem=not_a_key).code == "certificate_malformed"
    assert _error(key_pem=tmp_path / "absent.pem", cert_pem=pair.cert).code == "key_malformed"


def test_it_needs_a_key_source():
    assert _error().code == "signing_key_missing"


@requires_android_tools
def test_it_needs_an_alias_when_a_store_holds_several_entries(tmp_path):
    rsa_args = ["-keyalg", "RSA", "-keysize", "2048"]
    ec_args = ["-keyalg", "EC", "-groupname", "secp256r1"]
    first = keytool_keystore(tmp_path, rsa_args, alias="first", filename="shared.p12")
    second = keytool_keystore(tmp_path, ec_args, alias="second", filename="shared.p12")
    assert first.path == second.path
    password = first.password.encode()

    missing = _error(keystore=first.path, password=password)
    chosen = load_signer(keystore=first.path, alias="first", password=password)
    other = _error(keystore=first.path, alias="second", password=password)

    assert missing.code == "keystore_alias_missing"
    assert "first, second" in missing.message
    assert chosen.key_kind == "RSA"
    assert other.code == "keystore_alias_unsupported"
    assert "-srcalias second" in other.message
