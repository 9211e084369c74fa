"""Sealing secrets: round trip, binding to organization/object/field, master key handling."""

import base64
import logging

import pytest

from vault.errors import MasterKeyMissing, SecretUnreadable
from vault.models import OrganizationDataKey
from vault.providers import LocalMasterKeyProvider, new_master_key_line
from vault.sealing import open_sealed, seal

SECRET = b"-----BEGIN PRIVATE KEY----- not really, but secret all the same"


def test_a_sealed_secret_opens_for_the_same_organization_object_and_field(organizations):
    acme, _globex = organizations

    sealed = seal(acme, "trust.ClientIdentity", "id-1", "private_key", SECRET)

    assert SECRET not in sealed
    assert open_sealed(acme, "trust.ClientIdentity", "id-1", "private_key", sealed) == SECRET


def test_each_organization_gets_its_own_wrapped_data_key(organizations):
    acme, globex = organizations

    seal(acme, "p", 1, "f", SECRET)
    seal(globex, "p", 1, "f", SECRET)

    keys = OrganizationDataKey.objects.order_by("organization_id")
    assert [k.organization_id for k in keys] == [acme.pk, globex.pk]
    assert bytes(keys[0].wrapped_key) != bytes(keys[1].wrapped_key)


def test_a_ciphertext_copied_to_another_organization_does_not_open(organizations, caplog):
    acme, globex = organizations
    sealed = seal(acme, "trust.ClientIdentity", "id-1", "private_key", SECRET)
    seal(globex, "trust.ClientIdentity", "id-1", "private_key", b"globex's own")

    with caplog.at_level(logging.DEBUG), pytest.raises(SecretUnreadable) as caught:
        open_sealed(globex, "trust.ClientIdentity", "id-1", "private_key", sealed)

    assert caught.value.code == "secret_unreadable"
    assert "secret unreadable" in caplog.text
    assert SECRET.decode() not in caplog.text


@pytest.mark.parametrize(
    ("purpose", "object_id", "field"),
    [
        ("trust.ClientIdentity", "id-2", "private_key"),
        ("trust.SigningKeystore", "id-1", "private_key"),
        ("trust.ClientIdentity", "id-1", "password"),
    ],
)
def test_a_ciphertext_copied_to_another_row_or_field_does_not_open(
    organizations, purpose, object_id, field
):
    acme, _globex = organizations
    sealed = seal(acme, "trust.ClientIdentity", "id-1", "private_key", SECRET)

    with pytest.raises(SecretUnreadable):
        open_sealed(acme, purpose, object_id, field, sealed)


@pytest.mark.parametrize(
    "damage", [lambda s: s[:-1] + bytes([s[-1] ^ 1]), lambda s: s[:10], lambda s: b""]
)
def test_a_damaged_or_empty_ciphertext_is_unreadable_not_a_crash(organizations, damage):
    acme, _globex = organizations
    sealed = seal(acme, "p", 1, "f", SECRET)

    with pytest.raises(SecretUnreadable):
        open_sealed(acme, "p", 1, "f", damage(sealed))


def test_the_master_key_can_come_from_a_single_environment_variable(monkeypatch):
    monkeypatch.delenv("FUSEBOX_MASTER_KEY_FILE")
    monkeypatch.setenv("FUSEBOX_MASTER_KEY", base64.b64encode(b"k" * 32).decode())

    provider = LocalMasterKeyProvider()
    version, blob = provider.wrap(b"d" * 32)

    assert version == "1"
    assert provider.unwrap(version, blob) == b"d" * 32


@pytest.mark.parametrize(
    "content", ["", "1:not-base64!", "1:" + base64.b64encode(b"short").decode(), "v1:abc"]
)
def test_a_bad_key_file_names_the_problem(monkeypatch, tmp_path, content):
    path = tmp_path / "bad.keys"
    path.write_text(content)
    monkeypatch.setenv("FUSEBOX_MASTER_KEY_FILE", str(path))

    with pytest.raises(MasterKeyMissing) as caught:
        LocalMasterKeyProvider()

    assert str(path) in caught.value.message or "holds no key" in caught.value.message


def test_without_any_master_key_it_says_which_variable_to_set(monkeypatch, settings, tmp_path):
    monkeypatch.delenv("FUSEBOX_MASTER_KEY_FILE")
    settings.VAR_DIR = tmp_path / "empty-var"

    with pytest.raises(MasterKeyMissing) as caught:
        LocalMasterKeyProvider()

    assert "FUSEBOX_MASTER_KEY_FILE" in caught.value.message


def test_the_newest_version_in_the_key_file_wraps(master_key_file):
    master_key_file.write_text(new_master_key_line(1) + "\n" + new_master_key_line(12) + "\n")

    assert LocalMasterKeyProvider().current_version() == "12"
