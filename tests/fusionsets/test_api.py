"""DEV-API of Fusion Sets: roles, revisions, state changes, export/import, isolation."""

import pytest
from django.urls import reverse

from console.models import AuditEvent
from console.tenancy import unscoped_access
from tests.fusionsets.conftest import ready_settings

pytestmark = pytest.mark.django_db


def _url(name, fusion_set=None):
    return reverse(name, kwargs={"pk": fusion_set["id"]} if fusion_set else None)


@pytest.fixture
def security_api(api_for, cast):
    return api_for(cast.a, "security")


@pytest.fixture
def created(security_api, trust_a):
    response = security_api.post(
        reverse("api-fusionset-list"),
        {"name": "Retail app", "settings": ready_settings(trust_a), "comment": "first"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    return response.json()


def test_security_creates_a_set_with_revision_one(created, cast):
    assert created["revision"] == 1
    assert created["frozen"] is False
    with unscoped_access():
        event = AuditEvent.objects.get(action="fusionset.created")
    assert event.target_id == created["id"]
    assert event.actor_label.startswith("token security token")


@pytest.mark.parametrize("role", ["owner", "devops", "auditor"])
def test_only_security_may_create_or_change_sets(api_for, cast, created, role):
    api = api_for(cast.a, role)

    create = api.post(reverse("api-fusionset-list"), {"name": "x"}, format="json")
    change = api.patch(_url("api-fusionset-detail", created), {"name": "y"}, format="json")
    imported = api.post(reverse("api-fusionset-import"), {}, format="json")
    listed = api.get(reverse("api-fusionset-list"))

    assert (create.status_code, change.status_code, imported.status_code) == (403, 403, 403)
    assert listed.status_code == 200
    assert [item["id"] for item in listed.json()["results"]] == [created["id"]]


def test_an_update_creates_a_revision_and_keeps_settings_it_does_not_name(
    security_api, created, trust_a
):
    signing = {"method": "private", "fingerprints": [str(trust_a.fingerprint.pk)]}

    response = security_api.patch(
        _url("api-fusionset-detail", created), {"settings": {"signing": signing}}, format="json"
    )
    revisions = security_api.get(_url("api-fusionset-revisions", created)).json()["results"]

    assert response.status_code == 200
    body = response.json()
    assert body["revision"] == 2
    assert body["settings"]["signing"]["method"] == "private"
    assert body["settings"]["protections"] == created["settings"]["protections"]
    assert [r["number"] for r in revisions] == [2, 1]
    assert {c["path"] for c in revisions[0]["diff"]} == {
        "signing.method",
        "signing.keystore",
        "signing.fingerprints",
    }


def test_invalid_settings_answer_422_with_the_code_and_what_to_fix(security_api, created):
    response = security_api.patch(
        _url("api-fusionset-detail", created),
        {
            "settings": {
                "protections": {
                    "mobilebot_defense": {
                        "enabled": False,
                        "features": {"mtls_preauth": {"pinned_hosts": ["http://x.example"]}},
                    }
                }
            }
        },
        format="json",
    )

    assert response.status_code == 422
    assert response.json()["code"] == "pin_host_invalid"
    assert "without scheme, port or path" in response.json()["detail"]


def test_a_frozen_set_refuses_updates_until_unfrozen(security_api, created):
    frozen = security_api.post(_url("api-fusionset-freeze", created))
    refused = security_api.patch(_url("api-fusionset-detail", created), {"name": "x"}, "json")
    security_api.post(_url("api-fusionset-unfreeze", created))
    accepted = security_api.patch(_url("api-fusionset-detail", created), {"name": "x"}, "json")

    assert frozen.json()["frozen"] is True
    assert refused.status_code == 422
    assert refused.json()["code"] == "fusionset_frozen"
    assert accepted.status_code == 200
    assert accepted.json()["revision"] == 2


def test_clone_archive_readiness_and_summary(security_api, created):
    clone = security_api.post(_url("api-fusionset-clone", created), {"name": "B"}, "json")
    readiness = security_api.get(_url("api-fusionset-readiness", created)).json()
    summary = security_api.get(_url("api-fusionset-summary", created)).json()
    archived = security_api.post(_url("api-fusionset-archive", created))
    after = security_api.get(_url("api-fusionset-readiness", created)).json()
    listed = security_api.get(reverse("api-fusionset-list")).json()["results"]

    assert clone.status_code == 201
    assert clone.json()["name"] == "B"
    assert readiness == {"ready": True, "revision": 1, "reasons": []}
    assert summary["mtls"]["pinned_hosts"] == ["api.example.com"]
    assert summary["signing"]["method"] == "fusebox"
    assert archived.json()["archived"] is True
    assert after["ready"] is False
    assert [item["name"] for item in listed] == ["B"]


def test_export_then_import_round_trips(security_api, created):
    exported = security_api.get(_url("api-fusionset-export", created)).json()

    imported = security_api.post(
        reverse("api-fusionset-import") + "?name=Imported", exported, format="json"
    )

    assert imported.status_code == 201, imported.json()
    assert imported.json()["name"] == "Imported"
    assert imported.json()["settings"] == created["settings"]


def test_an_import_without_the_trust_material_is_refused(api_for, cast, security_api, created):
    exported = security_api.get(_url("api-fusionset-export", created)).json()

    response = api_for(cast.b, "security").post(
        reverse("api-fusionset-import"), exported, format="json"
    )

    assert response.status_code == 422
    assert response.json()["code"] == "trust_material_not_found"


def test_another_organizations_set_is_not_found(api_for, cast, created):
    other = api_for(cast.b, "security")

    for name in ("api-fusionset-detail", "api-fusionset-revisions", "api-fusionset-export"):
        assert other.get(_url(name, created)).status_code == 404
    assert other.post(_url("api-fusionset-freeze", created)).status_code == 404
    assert other.get(reverse("api-fusionset-list")).json()["results"] == []


def test_the_openapi_schema_documents_every_fusion_set_operation(client, cast):
    client.force_login(cast.a.user("security"))

    schema = client.get(reverse("api-schema"), {"format": "json"}).json()

    paths = {path for path in schema["paths"] if "fusion-sets" in path}
    assert {
        "/api/v1/fusion-sets/",
        "/api/v1/fusion-sets/import/",
        "/api/v1/fusion-sets/{id}/",
        "/api/v1/fusion-sets/{id}/freeze/",
        "/api/v1/fusion-sets/{id}/unfreeze/",
        "/api/v1/fusion-sets/{id}/clone/",
        "/api/v1/fusion-sets/{id}/archive/",
        "/api/v1/fusion-sets/{id}/export/",
        "/api/v1/fusion-sets/{id}/revisions/",
        "/api/v1/fusion-sets/{id}/readiness/",
        "/api/v1/fusion-sets/{id}/summary/",
        "/api/v1/fusion-sets/{id}/plan/",
    } <= paths
    assert "422" in schema["paths"]["/api/v1/fusion-sets/"]["post"]["responses"]


def test_a_pipeline_previews_the_plan_with_overrides(api_for, cast, created):
    devops = api_for(cast.a, "devops")
    url = _url("api-fusionset-plan", created)

    planned = devops.post(url, {"overrides": {"threat_events": {"mode": "detect"}}}, format="json")
    refused = devops.post(url, {"overrides": {"pinned_hosts": []}}, format="json")

    assert planned.status_code == 200
    assert planned.json()["threat_events"]["mode"] == "detect"
    assert planned.json()["revision_number"] == 1
    assert refused.status_code == 422
    assert refused.json()["code"] == "override_not_allowed"


def test_the_plan_preview_lists_why_a_set_cannot_build(security_api, api_for, cast, created):
    security_api.patch(
        _url("api-fusionset-detail", created), {"settings": {"signing": {}}}, format="json"
    )

    response = api_for(cast.a, "devops").post(_url("api-fusionset-plan", created), {}, "json")

    assert response.status_code == 422
    assert response.json()["code"] == "fusionset_not_ready"
    assert "No signing method is chosen" in response.json()["detail"]
