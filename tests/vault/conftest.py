"""Vault fixtures: a master key file per test and two organizations."""

import pytest

from tests.vault.keys import use_test_master_key


@pytest.fixture(autouse=True)
def master_key_file(monkeypatch, tmp_path):
    return use_test_master_key(monkeypatch, tmp_path)


@pytest.fixture
def organizations(db):
    from console.models import Organization

    return (
        Organization.objects.create(name="Acme", slug="acme"),
        Organization.objects.create(name="Globex", slug="globex"),
    )
