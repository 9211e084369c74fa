"""Trust fixtures: a small PKI generated once per test session."""

import shutil
from types import SimpleNamespace

import pytest

from tests.console.cast import cast  # noqa: F401
from tests.trust import pki
from tests.vault.keys import use_test_master_key


@pytest.fixture(autouse=True)
def master_key_file(monkeypatch, tmp_path):
    """Every trust test seals with its own throwaway master key."""
    return use_test_master_key(monkeypatch, tmp_path)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """The cast's users need no real password hashing in these tests."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _outside_any_scope():
    """Each test starts outside an organization scope, as a request or a task does."""
    from console.tenancy import no_scope

    with no_scope():
        yield


@pytest.fixture
def security_client(client, cast):  # noqa: F811
    """Organization A's security engineer, signed in to the console."""
    client.force_login(cast.a.user("security"))
    return client


@pytest.fixture(scope="session")
def ca():
    """A root CA (RSA 2048), an intermediate CA (EC P-256) and a client issued by each."""
    root_key = pki.rsa_key()
    root = pki.make_cert(root_key, "Fixture Root CA")
    intermediate_key = pki.ec_key()
    intermediate = pki.make_cert(
        intermediate_key, "Fixture Issuing CA", issuer_cert=root, issuer_key=root_key
    )
    client_key, client = pki.client_cert(intermediate, intermediate_key, "device-1")
    other_root_key = pki.ec_key()
    other_root = pki.make_cert(other_root_key, "Unrelated CA")
    return SimpleNamespace(
        root=root,
        root_key=root_key,
        intermediate=intermediate,
        intermediate_key=intermediate_key,
        client=client,
        client_key=client_key,
        other_root=other_root,
        other_root_key=other_root_key,
    )


@pytest.fixture
def api_for(cast):  # noqa: F811
    """A DRF client authenticated with a fresh DEV-API token of (team, role)."""
    from rest_framework.test import APIClient

    from console.tokens import create_token

    def make(team, role):
        _token, key = create_token(team.organization, name=f"{role} token", role=role)
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        return api

    return make


STORE_PASSWORD = "Keystore-Pass-9313"


@pytest.fixture(scope="session")
def keystore(tmp_path_factory):
    """A keytool PKCS#12 keystore with two RSA keys, 'release' and 'upload' (made once)."""
    if shutil.which("keytool") is None:
        pytest.skip("keytool (a JDK) is not installed")
    directory = tmp_path_factory.mktemp("keystore")
    return pki.keytool_keystore(directory, STORE_PASSWORD, aliases=("release", "upload"))


@pytest.fixture(scope="session")
def uploads(ca):
    """Files a security team would upload, with the passwords that open them."""
    identity_password = "Identity-Pass-4821"
    release_key = pki.rsa_key()
    return SimpleNamespace(
        ca_pem=pki.pem(ca.intermediate, ca.root),
        identity=pki.p12(ca.client_key, ca.client, identity_password, cas=[ca.intermediate]),
        identity_password=identity_password,
        # Same shape as keytool's PKCS#12 (AES, friendlyName "release") without a JVM start;
        # the keytool-made store is exercised by test_keystore_validation.
        keystore=pki.p12(
            release_key,
            pki.make_cert(release_key, "release", ca=False),
            STORE_PASSWORD,
            friendly_name=b"release",
        ),
        store_password=STORE_PASSWORD,
    )
