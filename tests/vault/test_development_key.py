"""The development master key `make run` creates, and its refusal in production."""

import pytest

from vault.development import ensure_development_master_key
from vault.errors import MasterKeyMissing
from vault.providers import LocalMasterKeyProvider


@pytest.fixture
def nothing_configured(monkeypatch, settings, tmp_path):
    monkeypatch.delenv("FUSEBOX_MASTER_KEY_FILE")
    monkeypatch.delenv("FUSEBOX_MASTER_KEY", raising=False)
    settings.VAR_DIR = tmp_path
    return tmp_path / "dev-master-key"


def test_it_creates_a_private_development_key_once(monkeypatch, nothing_configured):
    monkeypatch.setenv("FUSEBOX_DEBUG", "true")

    where = ensure_development_master_key()
    first = nothing_configured.read_text()
    ensure_development_master_key()

    assert where == str(nothing_configured)
    assert nothing_configured.stat().st_mode & 0o077 == 0
    assert nothing_configured.read_text() == first
    assert LocalMasterKeyProvider().current_version() == "1"


def test_it_refuses_to_create_a_key_in_production(monkeypatch, nothing_configured):
    monkeypatch.setenv("FUSEBOX_DEBUG", "false")

    with pytest.raises(MasterKeyMissing):
        ensure_development_master_key()

    assert not nothing_configured.exists()


def test_production_never_reads_a_development_key(monkeypatch, nothing_configured):
    monkeypatch.setenv("FUSEBOX_DEBUG", "true")
    ensure_development_master_key()
    monkeypatch.setenv("FUSEBOX_DEBUG", "false")

    with pytest.raises(MasterKeyMissing):
        LocalMasterKeyProvider()
