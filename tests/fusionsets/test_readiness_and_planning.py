"""Ready to build, in plain words, and the secret-free plan a build applies."""

import json

import pytest

from console.tenancy import scope, unscoped_access
from fusionsets import services
from fusionsets.planning import BuildPlan, NotReady, OverrideInvalid, plan_for_build
from fusionsets.readiness import readiness
from tests.fusionsets.conftest import ready_settings
from workers.engine.errors import RejectedInput
from workers.engine.fusion import ThreatEventSettings

pytestmark = pytest.mark.django_db


def _mtls(fusion_set):
    return fusion_set.settings["protections"]["mobilebot_defense"]["features"]["mtls_preauth"]


def test_a_complete_set_is_ready(make_set):
    assert readiness(make_set()) == []


def test_it_says_when_the_identity_has_expired(make_set, trust_a):
    fusion_set = make_set()
    _mtls(fusion_set)["client_identity"] = str(trust_a.expired_identity.pk)

    [reason] = readiness(fusion_set)

    assert reason.startswith(f"Client identity '{trust_a.expired_identity.name}' expired on")


def test_it_says_when_the_identity_is_not_yet_valid(make_set, trust_a):
    fusion_set = make_set()
    _mtls(fusion_set)["client_identity"] = str(trust_a.future_identity.pk)

    [reason] = readiness(fusion_set)

    assert "is not valid before" in reason


def test_it_says_when_the_identity_does_not_chain_to_the_selected_ca(make_set, trust_a):
    fusion_set = make_set()
    _mtls(fusion_set)["client_identity"] = str(trust_a.foreign_identity.pk)

    assert readiness(fusion_set) == [
        f"Client identity '{trust_a.foreign_identity.name}' does not chain to the selected CA "
        f"'{trust_a.ca.name}'."
    ]


def test_an_identity_issued_by_the_ca_chains_even_without_the_stored_link(make_set, trust_a):
    with unscoped_access():
        trust_a.identity.ca = None
        trust_a.identity.save()

    assert readiness(make_set()) == []


def test_it_says_when_no_signing_method_is_chosen(make_set, trust_a):
    settings = ready_settings(trust_a)
    settings["signing"] = {"method": ""}

    assert readiness(make_set(settings=settings)) == [
        "No signing method is chosen (sign on Fusebox, private or auto-dev)."
    ]


def test_it_says_when_the_signing_keystore_has_expired(make_set, trust_a):
    fusion_set = make_set()
    fusion_set.settings["signing"]["keystore"] = str(trust_a.expired_keystore.pk)

    [reason] = readiness(fusion_set)

    assert reason.startswith(f"The signing keystore '{trust_a.expired_keystore.name}'")


def test_it_says_when_a_pinned_host_is_invalid(make_set):
    fusion_set = make_set()
    _mtls(fusion_set)["pinned_hosts"] = ["api.example.com", "bad host"]

    [reason] = readiness(fusion_set)

    assert reason.startswith("Pinned host is invalid: pin host 'bad host' is not valid")


def test_frozen_sets_can_build_and_archived_sets_cannot(make_set, cast):
    fusion_set = make_set()

    with scope(cast.a.organization):
        services.freeze(fusion_set)
        frozen_reasons = readiness(fusion_set)
        services.archive(fusion_set)

    assert frozen_reasons == []
    assert readiness(fusion_set) == [
        "The Fusion Set is archived; archived sets cannot build (clone it)."
    ]


def test_a_set_without_mobilebot_defense_has_nothing_to_build(make_set, trust_a):
    settings = ready_settings(trust_a)
    settings["protections"]["mobilebot_defense"]["enabled"] = False

    [reason] = readiness(make_set(settings=settings))

    assert "nothing to apply" in reason


def test_the_plan_names_everything_a_build_applies_and_no_secret(make_set, trust_a):
    fusion_set = make_set()

    plan = plan_for_build(fusion_set)

    assert isinstance(plan, BuildPlan)
    assert plan.fusion_set_id == str(fusion_set.pk)
    assert plan.revision_number == 1
    assert plan.revision_id == str(fusion_set.current_revision_id)
    assert plan.ca_certificate_id == str(trust_a.ca.pk)
    assert plan.client_identity_id == str(trust_a.identity.pk)
    assert plan.pinned_hosts == ("api.example.com",)
    assert plan.signing == {
        "method": "fusebox",
        "keystore_id": str(trust_a.keystore.pk),
        "fingerprints": [],
        "google_play_fingerprint": "",
    }
    assert plan.threat_event_settings() == ThreatEventSettings(
        mode="defend", message="Closing now.", fail_safe_delay_ms=5000, threat_score=100
    )
    assert plan.features == (
        {
            "section": "mobilebot_defense",
            "feature": "mtls_preauth",
            "label": "mTLS Pre-Authentication",
        },
    )
    text = json.dumps(plan.to_dict())
    for secret_word in ("sealed", "password", "private_key", "BEGIN"):
        assert secret_word not in text


def test_a_set_that_cannot_build_raises_not_ready_with_each_reason(make_set, trust_a):
    settings = ready_settings(trust_a)
    settings["signing"] = {"method": ""}
    fusion_set = make_set(settings=settings)
    _mtls(fusion_set)["client_identity"] = str(trust_a.expired_identity.pk)

    with pytest.raises(NotReady) as refused:
        plan_for_build(fusion_set)

    assert isinstance(refused.value, RejectedInput)
    assert refused.value.code == "fusionset_not_ready"
    assert len(refused.value.reasons) == 2


def test_overrides_change_signing_and_the_threat_events_message_and_mode(make_set, trust_a):
    fusion_set = make_set()

    plan = plan_for_build(
        fusion_set,
        {
            "signing": {
                "method": "private",
                "fingerprints": ["12:" * 31 + "34"],
                "fingerprint_ids": [str(trust_a.fingerprint.pk)],
            },
            "threat_events": {"mode": "detect", "message": "Per build"},
        },
    )

    assert plan.signing == {
        "method": "private",
        "keystore_id": None,
        "fingerprints": ["ab" * 32, "12" * 31 + "34"],
        "google_play_fingerprint": "cd" * 32,
    }
    assert plan.threat_events["mode"] == "detect"
    assert plan.threat_events["message"] == "Per build"
    assert plan.threat_events["fail_safe_delay_ms"] == 5000


def test_auto_dev_signing_needs_no_keystore(make_set):
    plan = plan_for_build(make_set(), {"signing": {"method": "auto_dev"}})

    assert plan.signing["method"] == "auto_dev"
    assert plan.signing["keystore_id"] is None


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"pinned_hosts": ["evil.example.com"]}, "override_not_allowed"),
        ({"threat_events": {"threat_score": 0}}, "override_not_allowed"),
        ({"signing": {"alias": "x"}}, "override_not_allowed"),
        ({"threat_events": {"mode": "panic"}}, "override_invalid"),
        ({"threat_events": {"message": ""}}, "override_invalid"),
        ({"signing": {"method": "magic"}}, "override_invalid"),
        ({"signing": {"method": "private", "fingerprints": ["abc"]}}, "override_invalid"),
        ({"signing": {"method": "fusebox", "keystore_id": "not-a-uuid"}}, "override_invalid"),
        ("not an object", "override_invalid"),
    ],
)
def test_overrides_are_validated_as_strictly_as_the_form(make_set, overrides, code):
    with pytest.raises(OverrideInvalid) as refused:
        plan_for_build(make_set(), overrides)

    assert refused.value.code == code


def test_an_override_cannot_name_another_organizations_keystore(make_set, trust_b):
    with pytest.raises(OverrideInvalid) as refused:
        plan_for_build(
            make_set(), {"signing": {"method": "fusebox", "keystore_id": str(trust_b.keystore.pk)}}
        )

    assert refused.value.code == "trust_material_not_found"
