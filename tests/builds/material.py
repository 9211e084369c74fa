"""Trust material sealed for real, ready Fusion Sets and uploads, for builds tests.

Keys are generated per test session; the signing keystore is the one keytool wrote for the
session's fixture apps, so Fusebox signs with a keystore Google's tools made.
"""

import secrets
from pathlib import Path
from types import SimpleNamespace

from django.core.files.uploadedfile import SimpleUploadedFile

from console.tenancy import scope
from tests.trust import pki

IDENTITY_PASSWORD = secrets.token_urlsafe(12)


class PKI:
    """A CA, a client identity it issued (as PKCS#12) and the session's signing keystore."""

    def __init__(self, keystore):
        self.ca_key = pki.ec_key()
        self.ca = pki.make_cert(self.ca_key, "Builds Test CA")
        self.client_key, self.client = pki.client_cert(self.ca, self.ca_key, "device-1")
        self.identity_p12 = pki.p12(self.client_key, self.client, IDENTITY_PASSWORD)
        self.keystore = keystore
        self.keystore_bytes = Path(keystore.path).read_bytes()


def add_material(organization, test_pki: PKI) -> SimpleNamespace:
    from trust import services

    with scope(organization):
        ca = services.create_ca(f"CA {organization.slug}", pki.pem(test_pki.ca))
        identity = services.create_identity(
            f"Identity {organization.slug}", test_pki.identity_p12, IDENTITY_PASSWORD, ca=ca
        )
        keystore = services.create_keystore(
            f"Keystore {organization.slug}",
            test_pki.keystore_bytes,
            test_pki.keystore.alias,
            test_pki.keystore.password,
        )
    return SimpleNamespace(ca=ca, identity=identity, keystore=keystore)


def ready_settings(trust, method="fusebox", hosts=("api.example.com",)) -> dict:
    signing = {"method": method, "keystore": str(trust.keystore.pk)}
    if method != "fusebox":
        signing = {"method": method}
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
        "signing": signing,
    }


def ready_fusion_set(team, trust, name="Retail app", **settings_kwargs):
    from fusionsets import services

    with scope(team.organization):
        return services.create_fusion_set(
            name=name,
            settings=ready_settings(trust, **settings_kwargs),
            actor=team.user("security"),
        )


def upload(team, path: Path):
    from builds.uploads import accept_upload

    data = Path(path).read_bytes()
    with scope(team.organization):
        result = accept_upload(
            SimpleUploadedFile(Path(path).name, data), actor=team.user("devops")
        )
    return result.app


def drive(build, limit: int = 10):
    """Run a queued build's steps in this process, as a worker would, until it ends."""
    from builds.models import Build
    from workers.pipeline import execute_step

    with scope(build.organization_id):
        for _ in range(limit):
            current = Build.objects.get(pk=build.pk)
            if current.is_ended:
                return current
            step = Build.VALIDATING if current.status == Build.QUEUED else current.status
            execute_step(str(current.pk), step, current.dispatch)
        return Build.objects.get(pk=build.pk)
