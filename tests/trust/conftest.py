"""Trust fixtures: a small PKI generated once per test session."""

from types import SimpleNamespace

import pytest

from tests.trust import pki


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
