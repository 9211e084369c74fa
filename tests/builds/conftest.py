"""Builds fixtures: real sealed trust material, a ready Fusion Set and a private storage."""

from types import SimpleNamespace

import pytest

from console.tenancy import no_scope, scope
from tests.builds import material, webhook_receiver
from tests.console.cast import cast  # noqa: F401
from tests.vault.keys import use_test_master_key


@pytest.fixture(autouse=True)
def _outside_any_scope():
    with no_scope():
        yield


@pytest.fixture(autouse=True)
def master_key_file(monkeypatch, tmp_path):
    return use_test_master_key(monkeypatch, tmp_path)


@pytest.fixture(autouse=True)
def build_settings(settings, tmp_path):
    """Each test stores apps and outputs in its own folder and runs steps in-process."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STORAGES = {
        **settings.STORAGES,
        "builds": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "storage")},
        },
    }
    settings.FUSEBOX_BUILD_WORK_DIR = tmp_path / "work"
    settings.FUSEBOX_BUILD_HEARTBEAT_SECONDS = 0
    settings.FUSEBOX_BUILD_PAUSE_FILE = ""
    from django.core.files.storage import storages

    storages._storages.pop("builds", None)
    yield settings
    storages._storages.pop("builds", None)


@pytest.fixture
def sent_steps(monkeypatch):
    """Record the steps the services would hand to Celery instead of sending them."""
    sent = []
    monkeypatch.setattr(
        "builds.services.send_step",
        lambda organization_id, build_id, step, dispatch: sent.append((build_id, step, dispatch)),
    )
    monkeypatch.setattr("builds.webhooks.deliver.delay", lambda *args: None)
    return sent


@pytest.fixture(scope="session")
def test_pki(rsa_keystore):
    return material.PKI(rsa_keystore)


@pytest.fixture
def trust_a(cast, test_pki):  # noqa: F811
    return material.add_material(cast.a.organization, test_pki)


@pytest.fixture
def trust_b(cast, test_pki):  # noqa: F811
    return material.add_material(cast.b.organization, test_pki)


@pytest.fixture
def fusion_set_a(cast, trust_a):  # noqa: F811
    return material.ready_fusion_set(cast.a, trust_a)


@pytest.fixture
def fusion_set_b(cast, trust_b):  # noqa: F811
    return material.ready_fusion_set(cast.b, trust_b)


@pytest.fixture
def api_for(cast):  # noqa: F811
    """A DRF client authenticated with a fresh DEV-API token of (team, role)."""
    from rest_framework.test import APIClient

    from console.tokens import create_token

    def make(team, role="devops"):
        _token, key = create_token(team.organization, name=f"{role} token", role=role)
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        return api

    return make


@pytest.fixture
def in_a(cast):  # noqa: F811
    with scope(cast.a.organization):
        yield cast.a


@pytest.fixture
def apps(cast, fixture_app):  # noqa: F811
    """Upload helpers: ``apps.upload(team, path)`` stores an app as that team's DevOps."""
    return SimpleNamespace(upload=lambda team, path=fixture_app: material.upload(team, path))


@pytest.fixture
def receiver():
    """Makes local webhook receivers: ``receiver(statuses=[500, 200], tls=context)``."""
    made = []

    def make(statuses=(), **options):
        made.append(webhook_receiver.Receiver(statuses, **options))
        return made[-1]

    yield make
    for item in made:
        item.close()


@pytest.fixture
def no_redelivery(monkeypatch):
    """Webhook retries are recorded instead of queued."""
    from builds import webhooks

    later = []
    monkeypatch.setattr(webhooks.deliver, "delay", lambda *args: None)
    monkeypatch.setattr(webhooks.deliver, "apply_async", lambda **kw: later.append(kw))
    return later
