"""The installation's report-signing authority: created once, keys readable only with the
master key, an unusable external signer refused with its code."""

import pytest
from cryptography.hazmat.primitives import serialization

from certified import authority
from certified.errors import ReportAuthorityError
from certified.models import ReportAuthorityRecord
from tests.vault.keys import use_test_master_key
from vault.errors import SecretUnreadable

pytestmark = [pytest.mark.django_db]


@pytest.fixture(autouse=True)
def master_key(monkeypatch, tmp_path):
    authority._cache.clear()
    return use_test_master_key(monkeypatch, tmp_path)


def test_it_creates_one_authority_on_first_use_and_reuses_it():
    first = authority.installation_authority()
    authority._cache.clear()
    again = authority.installation_authority()

    assert ReportAuthorityRecord.objects.count() == 1
    assert again.ca_certificate == first.ca_certificate
    assert again.signing_certificate_sha256 == first.signing_certificate_sha256
    assert authority.ca_certificate_pem(create=False) == first.ca_certificate_pem()


def test_its_private_keys_are_stored_only_encrypted():
    signer = authority.installation_authority()
    record = ReportAuthorityRecord.objects.get()
    clear = signer.signing_key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )

    stored = bytes(record.wrapped_signing_key) + bytes(record.wrapped_ca_key)
    assert clear not in stored and clear[-32:] not in stored
    assert b"PRIVATE KEY" not in stored


def test_another_master_key_cannot_open_the_stored_keys(monkeypatch, tmp_path):
    authority.installation_authority()
    authority._cache.clear()
    other = tmp_path / "other"
    other.mkdir()
    use_test_master_key(monkeypatch, other)

    with pytest.raises(SecretUnreadable) as refused:
        authority.installation_authority()
    assert refused.value.code == "secret_unreadable"


def test_an_unreadable_external_signer_is_refused_with_what_to_set(settings, tmp_path):
    settings.FUSEBOX_REPORT_SIGNER_CERT_FILE = str(tmp_path / "missing.pem")
    settings.FUSEBOX_REPORT_SIGNER_KEY_FILE = str(tmp_path / "missing.key")
    settings.FUSEBOX_REPORT_CA_FILE = str(tmp_path / "missing-ca.pem")

    with pytest.raises(ReportAuthorityError) as refused:
        authority.installation_authority()
    assert refused.value.code == "report_authority"
    assert "FUSEBOX_REPORT_SIGNER_CERT_FILE" in refused.value.message
    assert not ReportAuthorityRecord.objects.exists()


def test_rotating_the_master_key_rewraps_the_authority_key(monkeypatch, tmp_path, master_key):
    signer = authority.installation_authority()
    old_line = master_key.read_text().strip()
    from vault.providers import new_master_key_line

    master_key.write_text(f"{old_line}\n{new_master_key_line(2)}\n")
    assert authority.rewrap_with_current_master_key() is True
    master_key.write_text(master_key.read_text().splitlines()[1] + "\n")  # version 1 retired
    authority._cache.clear()

    assert ReportAuthorityRecord.objects.get().key_wrap_version == "2"
    assert authority.installation_authority().ca_certificate == signer.ca_certificate
    assert authority.rewrap_with_current_master_key() is False
