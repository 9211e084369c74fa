"""Fusion Sets: revisions, diffs, freeze, clone, archive and the validation every write runs."""

import pytest

from console.models import AuditEvent
from console.tenancy import scope, unscoped_access
from fusionsets import services
from fusionsets.diff import diff_snapshots
from fusionsets.errors import (
    FusionSetArchived,
    FusionSetFrozen,
    RevisionImmutable,
    SettingsInvalid,
)
from fusionsets.models import FusionSetRevision
from tests.fusionsets.conftest import ready_settings
from trust.usage import usage_of

pytestmark = pytest.mark.django_db

MTLS = "protections.mobilebot_defense.features.mtls_preauth"


def _actions(organization):
    with unscoped_access():
        return list(
            AuditEvent.objects.filter(organization=organization)
            .order_by("sequence")
            .values_list("action", flat=True)
        )


def _with_mtls(settings, **changes):
    settings["protections"]["mobilebot_defense"]["features"]["mtls_preauth"].update(changes)
    return settings


def test_it_creates_a_fusion_set_with_revision_one_and_an_audit_event(make_set, cast):
    fusion_set = make_set()

    assert fusion_set.revision_number == 1
    revision = fusion_set.current_revision
    assert revision.created_by == cast.a.user("security")
    assert revision.created_by_label == "a-security"
    assert revision.settings["name"] == "Retail app"
    assert revision.settings["signing"]["method"] == "fusebox"
    assert "fusionset.created" in _actions(cast.a.organization)


def test_every_change_appends_a_revision_with_who_and_a_readable_diff(make_set, cast, trust_a):
    fusion_set = make_set()
    settings = _with_mtls(
        ready_settings(trust_a), pinned_hosts=["api.example.com", "*.cdn.example.com"]
    )

    with scope(cast.a.organization):
        revision = services.update_fusion_set(
            fusion_set,
            settings=settings,
            comment="pin the CDN",
            actor=cast.a.user("security"),
        )

    assert revision.number == 2
    assert fusion_set.current_revision_id == revision.pk
    assert revision.comment == "pin the CDN"
    [change] = revision.diff
    assert change["path"] == f"{MTLS}.pinned_hosts"
    assert change["label"] == (
        "Anti-Bot > MobileBOT Defense > mTLS Pre-Authentication > Pinned hosts"
    )
    assert change["added"] == ["*.cdn.example.com"]
    assert change["removed"] == []
    assert _actions(cast.a.organization)[-1] == "fusionset.updated"


def test_a_save_without_changes_makes_no_revision(make_set, cast):
    fusion_set = make_set()

    with scope(cast.a.organization):
        revision = services.update_fusion_set(fusion_set, name="Retail app")

        assert revision is None
        assert FusionSetRevision.objects.filter(fusion_set=fusion_set).count() == 1


def test_revisions_cannot_be_changed_or_deleted(make_set, cast):
    fusion_set = make_set()
    revision = fusion_set.current_revision

    with scope(cast.a.organization):
        revision.comment = "rewritten history"
        with pytest.raises(RevisionImmutable):
            revision.save()
        with pytest.raises(RevisionImmutable):
            revision.delete()
        with pytest.raises(RevisionImmutable):
            FusionSetRevision.objects.filter(pk=revision.pk).update(comment="x")
        with pytest.raises(RevisionImmutable):
            FusionSetRevision.objects.filter(pk=revision.pk).delete()

        assert FusionSetRevision.objects.get(pk=revision.pk).comment == "Created"


def test_a_frozen_set_refuses_changes_until_a_security_member_unfreezes_it(make_set, cast):
    fusion_set = make_set()
    security = cast.a.user("security")

    with scope(cast.a.organization):
        services.freeze(fusion_set, actor=security)
        with pytest.raises(FusionSetFrozen) as refused:
            services.update_fusion_set(fusion_set, name="Changed")
        services.unfreeze(fusion_set, actor=security)
        revision = services.update_fusion_set(fusion_set, name="Changed", actor=security)

    assert refused.value.code == "fusionset_frozen"
    assert revision.number == 2
    actions = _actions(cast.a.organization)
    assert actions.index("fusionset.frozen") < actions.index("fusionset.unfrozen")


def test_an_archived_set_refuses_changes(make_set, cast):
    fusion_set = make_set()

    with scope(cast.a.organization):
        services.archive(fusion_set)
        with pytest.raises(FusionSetArchived):
            services.update_fusion_set(fusion_set, name="Changed")
        with pytest.raises(FusionSetArchived):
            services.freeze(fusion_set)

    assert "fusionset.archived" in _actions(cast.a.organization)


def test_clone_copies_the_settings_with_a_new_id_and_a_fresh_history(make_set, cast):
    fusion_set = make_set()
    with scope(cast.a.organization):
        services.update_fusion_set(fusion_set, description="v2")
        services.freeze(fusion_set)

        copy = services.clone(fusion_set)

    assert copy.pk != fusion_set.pk
    assert copy.name == "Copy of Retail app"
    assert copy.settings == fusion_set.settings
    assert copy.revision_number == 1
    assert not copy.is_frozen
    assert copy.cloned_from_id == fusion_set.pk
    assert "fusionset.cloned" in _actions(cast.a.organization)


def test_it_refuses_an_identity_that_does_not_chain_to_the_selected_ca(make_set, trust_a):
    settings = _with_mtls(
        ready_settings(trust_a), client_identity=str(trust_a.foreign_identity.pk)
    )

    with pytest.raises(SettingsInvalid) as refused:
        make_set(settings=settings)

    assert refused.value.code == "identity_not_from_ca"
    assert refused.value.field == f"{MTLS}.client_identity"


def test_it_refuses_trust_material_of_another_organization(make_set, trust_a, trust_b):
    settings = _with_mtls(ready_settings(trust_a), ca_certificate=str(trust_b.ca.pk))

    with pytest.raises(SettingsInvalid) as refused:
        make_set(settings=settings)

    assert refused.value.code == "trust_material_not_found"
    assert refused.value.field == f"{MTLS}.ca_certificate"


@pytest.mark.parametrize(
    "host",
    ["https://api.example.com", "*.com", "api..example.com", "api.*.example.com", "*"],
)
def test_it_refuses_a_pinned_host_android_cannot_match(make_set, trust_a, host):
    settings = _with_mtls(ready_settings(trust_a), pinned_hosts=[host])

    with pytest.raises(SettingsInvalid) as refused:
        make_set(settings=settings)

    assert refused.value.code == "pin_host_invalid"
    assert refused.value.field == f"{MTLS}.pinned_hosts"


def test_it_normalises_pinned_hosts_as_android_matches_them(make_set, trust_a):
    settings = _with_mtls(
        ready_settings(trust_a), pinned_hosts=["API.Example.com.", "api.example.com", "*.b.io"]
    )

    fusion_set = make_set(settings=settings)

    mtls = fusion_set.settings["protections"]["mobilebot_defense"]["features"]["mtls_preauth"]
    assert mtls["pinned_hosts"] == ["api.example.com", "*.b.io"]


def test_it_refuses_settings_keys_the_catalog_does_not_define(make_set, trust_a):
    settings = ready_settings(trust_a)
    settings["protections"]["mobilebot_defense"]["features"]["root_detection"] = {}

    with pytest.raises(SettingsInvalid) as refused:
        make_set(settings=settings)

    assert refused.value.code == "settings_unknown_key"
    assert "root_detection" in refused.value.message


def test_it_refuses_threat_events_the_runtime_cannot_carry(make_set, trust_a):
    hosts = [f"{'h' * 50}{n}.example.com" for n in range(90)]
    settings = _with_mtls(ready_settings(trust_a), pinned_hosts=hosts)

    with pytest.raises(SettingsInvalid) as too_large:
        make_set(settings=settings)
    bad_mode = _with_mtls(ready_settings(trust_a), threat_events={"mode": "panic"})
    with pytest.raises(SettingsInvalid) as invalid_mode:
        make_set(settings=bad_mode)

    assert too_large.value.code == "build_values_too_large"
    assert invalid_mode.value.code == "threat_events_mode_invalid"


def test_mtls_needs_a_ca_and_an_identity_only_when_mobilebot_defense_is_on(make_set, trust_a):
    settings = _with_mtls(ready_settings(trust_a), ca_certificate=None)

    with pytest.raises(SettingsInvalid) as refused:
        make_set(settings=settings)
    settings["protections"]["mobilebot_defense"]["enabled"] = False
    fusion_set = make_set(settings=settings)

    assert refused.value.code == "ca_required"
    assert fusion_set.revision_number == 1


def test_sign_on_fusebox_needs_a_keystore(make_set, trust_a):
    settings = ready_settings(trust_a)
    settings["signing"] = {"method": "fusebox"}

    with pytest.raises(SettingsInvalid) as refused:
        make_set(settings=settings)

    assert refused.value.code == "keystore_required"


def test_trust_material_used_by_a_set_reports_the_set(make_set, cast, trust_a):
    make_set(name="Retail app")

    with scope(cast.a.organization):
        assert usage_of(trust_a.identity) == ["Fusion Set 'Retail app'"]
        assert usage_of(trust_a.keystore) == ["Fusion Set 'Retail app'"]
        assert "Fusion Set 'Retail app'" in usage_of(trust_a.ca)
        assert usage_of(trust_a.expired_keystore) == []


def test_trust_material_in_use_by_a_set_cannot_be_deleted(make_set, cast, trust_a):
    from trust.errors import TrustError
    from trust.services import delete_material

    make_set(name="Retail app")

    with scope(cast.a.organization), pytest.raises(TrustError) as refused:
        delete_material(trust_a.keystore)

    assert refused.value.code == "material_in_use"
    assert "Fusion Set 'Retail app'" in str(refused.value)


def test_the_diff_lists_every_changed_field_with_its_label():
    before = {"name": "A", "signing": {"method": "", "fingerprints": []}}
    after = {"name": "B", "signing": {"method": "private", "fingerprints": ["x"]}}

    changes = diff_snapshots(before, after)

    assert [(c["label"], c["before"], c["after"]) for c in changes] == [
        ("Name", "A", "B"),
        ("Signing > Method", "", "private"),
        ("Signing > Private signing fingerprints", [], ["x"]),
    ]
    assert changes[2]["added"] == ["x"]


@pytest.mark.postgres
def test_postgresql_refuses_update_and_delete_of_revisions(make_set):
    from django.db import InternalError, ProgrammingError, connection, transaction

    if connection.vendor != "postgresql":
        pytest.skip("the append-only trigger exists on PostgreSQL only")
    revision = make_set().current_revision
    refused = (InternalError, ProgrammingError)

    for sql in (
        "UPDATE fusionsets_fusionsetrevision SET comment = 'x' WHERE id = %s",
        "DELETE FROM fusionsets_fusionsetrevision WHERE id = %s",
    ):
        with (
            pytest.raises(refused, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql, [revision.pk.hex])
