"""Fusion Set fixtures: the cast, a small PKI and trust material rows per organization."""

from types import SimpleNamespace

import pytest

from console.tenancy import no_scope, scope
from tests.console.cast import cast  # noqa: F401
from tests.fusionsets import material
from tests.fusionsets.material import PKI


@pytest.fixture(autouse=True)
def _outside_any_scope():
    """Each test starts outside an organization scope, as a request or a task does."""
    with no_scope():
        yield


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session")
def test_pki():
    return PKI()


def _material_for(organization, test_pki):
    slug = organization.slug
    ca = material.add_ca(organization, f"CA {slug}", test_pki.ca)
    return SimpleNamespace(
        ca=ca,
        other_ca=material.add_ca(organization, f"Unrelated CA {slug}", test_pki.other_ca),
        identity=material.add_identity(organization, f"Identity {slug}", test_pki.client, ca),
        expired_identity=material.add_identity(
            organization, f"Old identity {slug}", test_pki.expired_client, ca
        ),
        future_identity=material.add_identity(
            organization, f"Future identity {slug}", test_pki.future_client, ca
        ),
        foreign_identity=material.add_identity(
            organization, f"Foreign identity {slug}", test_pki.other_client, None
        ),
        keystore=material.add_keystore(organization, f"Keystore {slug}", test_pki.signer),
        expired_keystore=material.add_keystore(
            organization, f"Old keystore {slug}", test_pki.expired_signer
        ),
        fingerprint=material.add_fingerprint(
            organization,
            f"Release key {slug}",
            ":".join(["AB"] * 32),
            play=":".join(["CD"] * 32),
        ),
    )


@pytest.fixture
def trust_a(cast, test_pki):  # noqa: F811
    return _material_for(cast.a.organization, test_pki)


@pytest.fixture
def trust_b(cast, test_pki):  # noqa: F811
    return _material_for(cast.b.organization, test_pki)


def ready_settings(trust, hosts=("api.example.com",)) -> dict:
    """A settings document that can build: MobileBOT Defense with mTLS, signed on Fusebox."""
    return {
        "protections": {
            "mobilebot_defense": {
                "enabled": True,
                "features": {
                    "mtls_preauth": {
                        "enabled": True,
                        "ca_certificate": str(trust.ca.pk),
                        "client_identity": str(trust.identity.pk),
                        "pinned_hosts": list(hosts),
                        "threat_events": {"mode": "defend", "message": "Closing now."},
                    }
                },
            }
        },
        "signing": {"method": "fusebox", "keystore": str(trust.keystore.pk)},
    }


@pytest.fixture
def in_a(cast):  # noqa: F811
    """Run the test body inside organization A's scope."""
    with scope(cast.a.organization):
        yield cast.a


@pytest.fixture
def make_set(cast, trust_a):  # noqa: F811
    """Create a ready Fusion Set in organization A through the service, as A's security."""
    from fusionsets import services

    def make(name="Retail app", settings=None, **kwargs):
        with scope(cast.a.organization):
            return services.create_fusion_set(
                name=name,
                settings=settings or ready_settings(trust_a),
                actor=cast.a.user("security"),
                **kwargs,
            )

    return make


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
