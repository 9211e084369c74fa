"""Master key rotation re-wraps every data key and leaves every secret readable."""

from django.core.management import call_command

from vault.models import OrganizationDataKey
from vault.providers import new_master_key_line
from vault.sealing import open_sealed, seal


def test_rotation_rewraps_every_data_key_and_all_secrets_still_open(
    organizations, master_key_file, capsys
):
    sealed = {
        org.pk: [seal(org, "p", n, "f", f"secret {org.pk}-{n}".encode()) for n in range(3)]
        for org in organizations
    }
    before = {k.pk: bytes(k.wrapped_key) for k in OrganizationDataKey.objects.all()}
    master_key_file.write_text(master_key_file.read_text() + new_master_key_line(2) + "\n")

    call_command("rotate_master_key")

    keys = list(OrganizationDataKey.objects.all())
    assert len(keys) == 2
    assert {k.master_key_version for k in keys} == {"2"}
    assert all(bytes(k.wrapped_key) != before[k.pk] for k in keys)
    assert "2 of 2 data keys re-wrapped" in capsys.readouterr().out

    old_line = master_key_file.read_text().splitlines()[0]
    master_key_file.write_text(master_key_file.read_text().replace(old_line + "\n", ""))
    for org in organizations:
        for n, blob in enumerate(sealed[org.pk]):
            assert open_sealed(org, "p", n, "f", blob) == f"secret {org.pk}-{n}".encode()


def test_old_versions_keep_opening_until_rotation_has_run(organizations, master_key_file):
    acme, _globex = organizations
    blob = seal(acme, "p", 1, "f", b"before rotation")
    master_key_file.write_text(master_key_file.read_text() + new_master_key_line(2) + "\n")

    assert open_sealed(acme, "p", 1, "f", blob) == b"before rotation"
    assert seal(acme, "p", 2, "f", b"after") != blob


def test_a_second_rotation_has_nothing_left_to_do(organizations, master_key_file):
    seal(organizations[0], "p", 1, "f", b"x")
    master_key_file.write_text(master_key_file.read_text() + new_master_key_line(2) + "\n")

    call_command("rotate_master_key")

    from vault.management.commands.rotate_master_key import rotate_master_key

    assert rotate_master_key() == (0, 1)


def test_rotation_also_rewraps_the_report_signing_keys(db, master_key_file):
    from certified.authority import installation_authority
    from certified.models import ReportAuthorityRecord

    signing_certificate = installation_authority().signing_certificate
    master_key_file.write_text(master_key_file.read_text() + new_master_key_line(2) + "\n")

    call_command("rotate_master_key")

    assert ReportAuthorityRecord.objects.get().key_wrap_version == "2"
    old_line = master_key_file.read_text().splitlines()[0]
    master_key_file.write_text(master_key_file.read_text().replace(old_line + "\n", ""))
    assert installation_authority().signing_certificate == signing_certificate
