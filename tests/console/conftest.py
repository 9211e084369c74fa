"""Fixtures of the console suite."""

import pytest

from console.tenancy import no_scope
from tests.console.cast import cast  # noqa: F401


@pytest.fixture(autouse=True)
def _no_leaked_scope():
    """Each test starts outside any organization scope, as a request or a task does."""
    with no_scope():
        yield


@pytest.fixture
def client_for(client):
    """A test client signed in as ``user`` (console session)."""

    def sign_in(user):
        client.force_login(user)
        return client

    return sign_in


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Production hashing costs ~0.3 s a password; these tests check flows, not the hash."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def sent_pings(monkeypatch):
    """Pings the dashboard sends, kept here instead of the broker (the queue test uses one)."""
    from workers.tasks import ping

    sent = []
    monkeypatch.setattr(ping, "delay", lambda ping_id: sent.append(ping_id))
    return sent
