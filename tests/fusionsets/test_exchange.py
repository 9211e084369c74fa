"""Export and import: a round trip keeps every setting; bad documents get specific errors."""

import json

import pytest

from console.tenancy import scope
from fusionsets.errors import ImportRefused
from fusionsets.exchange import export_fusion_set, import_fusion_set

pytestmark = pytest.mark.django_db


def test_an_export_names_trust_material_by_name_and_fingerprint_only(make_set, trust_a):
    document = export_fusion_set(make_set())

    mtls = document["protections"]["mobilebot_defense"]["features"]["mtls_preauth"]
    assert document["format"] == "fusebox.fusion-set"
    assert document["schema_version"] == 1
    assert mtls["ca_certificate"] == {"name": trust_a.ca.name, "sha256": trust_a.ca.sha256}
    assert document["signing"]["keystore"]["sha256"] == trust_a.keystore.sha256
    text = json.dumps(document)
    assert str(trust_a.ca.pk) not in text
    for secret_word in ("sealed", "password", "private_key", "BEGIN"):
        assert secret_word not in text


def test_an_export_imports_back_with_the_same_settings(make_set, cast):
    original = make_set()
    document = json.loads(json.dumps(export_fusion_set(original)))

    with scope(cast.a.organization):
        imported = import_fusion_set(document, name="Imported copy")

    assert imported.pk != original.pk
    assert imported.name == "Imported copy"
    assert imported.settings == original.settings
    assert imported.current_revision.comment == "Imported"


def test_an_import_resolves_material_of_the_importing_organization(make_set, cast, trust_b):
    document = export_fusion_set(make_set())

    with scope(cast.b.organization):
        imported = import_fusion_set(document)

    mtls = imported.settings["protections"]["mobilebot_defense"]["features"]["mtls_preauth"]
    assert mtls["ca_certificate"] == str(trust_b.ca.pk)
    assert imported.organization_id == cast.b.organization.pk


def test_an_import_is_refused_when_the_material_is_not_in_the_organization(make_set, cast):
    document = export_fusion_set(make_set())

    with scope(cast.b.organization), pytest.raises(ImportRefused) as refused:
        import_fusion_set(document)

    assert refused.value.code == "trust_material_not_found"
    assert "CA certificate 'CA org-a'" in refused.value.message
    assert "add it under Trust material" in refused.value.message


def _mutated(document, change):
    copy = json.loads(json.dumps(document))
    change(copy)
    return copy


def _mtls(document):
    return document["protections"]["mobilebot_defense"]["features"]["mtls_preauth"]


@pytest.mark.parametrize(
    ("change", "code"),
    [
        (lambda d: d.update(format="something else"), "import_invalid"),
        (lambda d: d.update(schema_version=2), "import_schema_unsupported"),
        (lambda d: d.update(extra=True), "import_invalid"),
        (lambda d: d["fusion_set"].update(name=""), "name_required"),
        (lambda d: d["fusion_set"].update(owner="x"), "import_invalid"),
        (lambda d: _mtls(d).update(pinned_hosts=["https://x.example"]), "pin_host_invalid"),
        (
            lambda d: _mtls(d).update(ca_certificate="8d0c1c52-0000-4000-8000-000000000000"),
            "import_reference_invalid",
        ),
        (lambda d: _mtls(d).update(unknown=1), "settings_unknown_key"),
        (lambda d: d["signing"].update(method="sometimes"), "signing_method_invalid"),
    ],
)
def test_an_import_is_refused_with_a_specific_code(make_set, cast, change, code):
    document = _mutated(export_fusion_set(make_set()), change)

    with scope(cast.a.organization), pytest.raises(ImportRefused) as refused:
        import_fusion_set(document)

    assert refused.value.code == code
    assert refused.value.message
