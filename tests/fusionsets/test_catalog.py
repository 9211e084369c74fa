"""The feature catalog: defaults, labels, and adding a feature without a new table."""

import pytest

from fusionsets import catalog
from fusionsets.catalog import Category, Feature, Section
from fusionsets.documents import default_document, validate_document
from fusionsets.errors import SettingsInvalid


def test_mobilebot_defense_is_off_and_mtls_on_by_default_in_a_new_set():
    section = default_document()["protections"]["mobilebot_defense"]

    assert section["enabled"] is False
    assert section["features"]["mtls_preauth"]["enabled"] is True
    assert section["features"]["mtls_preauth"]["threat_events"]["mode"] == "off"


def test_the_catalog_is_anti_bot_then_mobilebot_defense_then_mtls():
    [category] = catalog.categories()

    assert category.label == "Anti-Bot"
    assert [s.label for s in category.sections] == ["MobileBOT Defense"]
    assert [f.label for f in category.sections[0].features] == ["mTLS Pre-Authentication"]


def _validate_level(settings, path, active):
    level = settings.get("level", 1)
    if level not in (1, 2, 3):
        raise SettingsInvalid("level must be 1, 2 or 3", field=f"{path}.level")
    return {"level": level}


def test_a_new_feature_is_one_catalog_entry_and_needs_no_new_table(monkeypatch):
    monkeypatch.setattr(catalog, "_categories", list(catalog.categories()))
    catalog.register_category(
        Category(
            "anti_tampering",
            "Anti-Tampering",
            (
                Section(
                    "integrity",
                    "App Integrity",
                    "Detects modified apps.",
                    default_enabled=False,
                    features=(
                        Feature(
                            "checksum",
                            "Checksum validation",
                            "Checks the app's files.",
                            default_enabled=True,
                            defaults=lambda: {"level": 1},
                            validate=_validate_level,
                            field_labels={"level": "Strictness"},
                        ),
                    ),
                ),
            ),
        )
    )

    document = validate_document(
        {"protections": {"integrity": {"enabled": True, "features": {"checksum": {"level": 3}}}}}
    )
    with pytest.raises(SettingsInvalid) as refused:
        validate_document({"protections": {"integrity": {"features": {"checksum": {"level": 9}}}}})

    assert document["protections"]["integrity"]["features"]["checksum"] == {
        "enabled": True,
        "level": 3,
    }
    assert document["protections"]["mobilebot_defense"]["enabled"] is False
    assert refused.value.field == "protections.integrity.features.checksum.level"
    assert catalog.field_label("protections.integrity.features.checksum.level") == (
        "Anti-Tampering > App Integrity > Checksum validation > Strictness"
    )
    assert [f.key for _s, f, _v in catalog.enabled_features(document["protections"])] == [
        "checksum"
    ]


def test_sets_saved_before_a_feature_existed_still_read_and_summarise(monkeypatch, make_set, cast):
    from console.tenancy import scope
    from fusionsets import services
    from fusionsets.readiness import readiness
    from fusionsets.summary import summarize

    fusion_set = make_set()
    monkeypatch.setattr(catalog, "_categories", list(catalog.categories()))
    catalog.register_category(
        Category("later", "Later", (Section("later", "Later", "", False, ()),))
    )

    rows = summarize(fusion_set)["protections"]
    with scope(cast.a.organization):
        revision = services.update_fusion_set(fusion_set, description="after")

    assert readiness(fusion_set) == []
    assert [row["feature"] for row in rows] == ["mTLS Pre-Authentication"]
    assert revision.settings["protections"]["later"] == {"enabled": False, "features": {}}


def test_a_section_key_cannot_be_registered_twice(monkeypatch):
    monkeypatch.setattr(catalog, "_categories", list(catalog.categories()))
    duplicate = Category("x", "X", (catalog.section("mobilebot_defense"),))

    with pytest.raises(ValueError, match="registered twice"):
        catalog.register_category(duplicate)
