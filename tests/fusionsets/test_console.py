"""Console pages of Fusion Sets: editor, detail summary, history, diff, samples, import."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from console.tenancy import scope
from fusionsets import services
from fusionsets.exchange import export_fusion_set
from fusionsets.models import FusionSet

pytestmark = pytest.mark.django_db


@pytest.fixture
def security(client, cast):
    client.force_login(cast.a.user("security"))
    return client


def _form(trust, **overrides):
    data = {
        "name": "Retail app",
        "description": "Checkout and loyalty apps",
        "mobilebot_enabled": "on",
        "mtls_enabled": "on",
        "ca_certificate": str(trust.ca.pk),
        "client_identity": str(trust.identity.pk),
        "pinned_hosts": "api.example.com\n*.cdn.example.com",
        "threat_mode": "defend",
        "threat_message": "This app cannot continue.",
        "fail_safe_delay_ms": "5000",
        "threat_score": "100",
        "signing_method": "fusebox",
        "keystore": str(trust.keystore.pk),
        "comment": "first version",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def test_the_editor_creates_a_set_and_shows_its_id_with_a_copy_button(security, trust_a, cast):
    response = security.post(reverse("fusionset-create"), _form(trust_a))

    with scope(cast.a.organization):
        fusion_set = FusionSet.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("fusionset-detail", kwargs={"pk": fusion_set.pk})
    page = security.get(response["Location"]).content.decode()
    assert f'<code id="fusion-set-id" class="fs-id-value">{fusion_set.pk}</code>' in page
    assert 'data-copy="fusion-set-id"' in page
    assert "Ready to build" in page
    assert "*.cdn.example.com" in page


def test_the_editor_shows_an_invalid_pinned_host_next_to_the_field(security, trust_a, cast):
    response = security.post(
        reverse("fusionset-create"), _form(trust_a, pinned_hosts="api.example.com:443")
    )

    assert response.status_code == 200
    assert "give a host name only, without scheme, port or path" in response.content.decode()
    with scope(cast.a.organization):
        assert not FusionSet.objects.exists()


def test_the_editor_refuses_an_identity_from_another_ca(security, trust_a):
    response = security.post(
        reverse("fusionset-create"),
        _form(trust_a, client_identity=str(trust_a.foreign_identity.pk)),
    )

    assert "does not chain to CA" in response.content.decode()


def test_instant_validation_answers_with_the_engine_rules(security):
    url = reverse("fusionset-validate-hosts")

    good = security.post(url, {"pinned_hosts": "API.example.com\n*.example.org"})
    bad = security.post(url, {"pinned_hosts": "*.com"})

    assert "2 hosts valid: api.example.com, *.example.org" in good.content.decode()
    assert 'role="alert"' in bad.content.decode()
    assert "a wildcard needs a domain of at least two labels" in bad.content.decode()


def test_editing_makes_a_revision_shown_in_the_history_and_the_diff(security, make_set, trust_a):
    fusion_set = make_set()
    edit = reverse("fusionset-edit", kwargs={"pk": fusion_set.pk})

    security.post(edit, _form(trust_a, pinned_hosts="api.example.com\nnew.example.com"))
    history = security.get(reverse("fusionset-history", kwargs={"pk": fusion_set.pk}))
    diff = security.get(
        reverse("fusionset-diff", kwargs={"pk": fusion_set.pk}), {"from": 1, "to": 2}
    )

    assert "Revision 2" in history.content.decode()
    assert "by a-security" in history.content.decode()
    assert "<ins>new.example.com</ins>" in diff.content.decode()
    assert "Pinned hosts" in diff.content.decode()


def test_a_frozen_set_refuses_the_editor(security, make_set, trust_a, cast):
    fusion_set = make_set()
    security.post(reverse("fusionset-freeze", kwargs={"pk": fusion_set.pk}))

    response = security.post(
        reverse("fusionset-edit", kwargs={"pk": fusion_set.pk}), _form(trust_a, name="New")
    )

    assert "is frozen" in response.content.decode()
    with scope(cast.a.organization):
        assert FusionSet.objects.get().name == "Retail app"


def test_code_samples_come_with_copy_buttons(security, make_set):
    fusion_set = make_set()

    page = security.get(reverse("fusionset-samples", kwargs={"pk": fusion_set.pk}))

    body = page.content.decode()
    for title in ("Java", "Kotlin", "Flutter", "React Native", "Xamarin", "Cordova", "Unity"):
        assert title in body
    assert body.count('data-copy="code-') == 10
    assert "mTLSPreAuthentication" in body


def test_an_export_file_imports_through_the_console(security, make_set, cast):
    document = export_fusion_set(make_set())
    upload = SimpleUploadedFile("set.json", json.dumps(document).encode(), "application/json")

    response = security.post(reverse("fusionset-import"), {"file": upload, "name": "Copy"})

    assert response.status_code == 302
    with scope(cast.a.organization):
        assert FusionSet.objects.filter(name="Copy").exists()


def test_a_broken_import_says_what_is_wrong(security):
    response = security.post(reverse("fusionset-import"), {"text": '{"format": "x"}'})

    assert "this is not a Fusion Set export" in response.content.decode()


def test_the_list_searches_by_name_and_id(security, make_set, cast):
    first = make_set(name="Retail app")
    make_set(name="Banking app")
    with scope(cast.a.organization):
        services.archive(make_set(name="Old retail"))

    by_name = security.get(reverse("fusionset-list"), {"q": "retail"}).content.decode()
    by_id = security.get(reverse("fusionset-list"), {"q": str(first.pk)}).content.decode()

    assert "Retail app" in by_name
    assert "Banking app" not in by_name
    assert "Old retail" not in by_name
    assert "Retail app" in by_id


def test_an_auditor_reads_but_cannot_edit(client, cast, make_set):
    fusion_set = make_set()
    client.force_login(cast.a.user("auditor"))

    detail = client.get(reverse("fusionset-detail", kwargs={"pk": fusion_set.pk}))
    edit = client.get(reverse("fusionset-edit", kwargs={"pk": fusion_set.pk}))

    assert detail.status_code == 200
    assert "Freeze" not in detail.content.decode()
    assert edit.status_code == 403


def test_the_dashboard_card_counts_active_sets(security, make_set):
    make_set()

    page = security.get(reverse("dashboard")).content.decode()

    assert "active Fusion Set" in page


def test_the_history_names_trust_material_instead_of_ids(security, make_set, trust_a):
    fusion_set = make_set()
    edit = reverse("fusionset-edit", kwargs={"pk": fusion_set.pk})

    saved = security.post(edit, _form(trust_a, server_cas=str(trust_a.other_ca.pk)))
    assert saved.status_code == 302, saved.content.decode()[-3000:]
    history = security.get(reverse("fusionset-history", kwargs={"pk": fusion_set.pk}))

    body = history.content.decode()
    assert f"<ins>{trust_a.other_ca.name} ({str(trust_a.other_ca.pk)[:8]})</ins>" in body
    assert "Server trust anchors" in body


def test_the_diff_page_offers_every_revision_and_selects_the_pair_shown(security, make_set, cast):
    fusion_set = make_set()
    with scope(cast.a.organization):
        services.update_fusion_set(fusion_set, description="two")
        services.update_fusion_set(fusion_set, description="three")

    page = security.get(
        reverse("fusionset-diff", kwargs={"pk": fusion_set.pk}), {"from": 1, "to": 3}
    ).content.decode()

    assert '<option value="1" selected>r1</option>' in page
    assert '<option value="3" selected>r3</option>' in page
    assert '<option value="2">r2</option>' in page
    assert "<ins>three</ins>" in page
