"""Console pages: upload by XMLHttpRequest, build list filters and paging, roles."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from builds.models import Build
from tests.builds.factories import AppFactory, BuildFactory, succeeded_build
from tests.support.android import requires_android_tools

pytestmark = [pytest.mark.django_db]


@requires_android_tools
def test_devops_uploads_through_the_console_and_lands_on_the_app(client, cast, fixture_app):
    client.force_login(cast.a.user("devops"))
    response = client.post(
        reverse("app-upload"),
        {"file": SimpleUploadedFile("app.apk", Path(fixture_app).read_bytes())},
    )

    assert response.status_code == 201
    page = client.get(response.json()["url"])
    assert b"com.example.fixture" in page.content
    assert b"Start build" in page.content


def test_a_refused_console_upload_answers_its_code(client, cast):
    client.force_login(cast.a.user("devops"))
    response = client.post(
        reverse("app-upload"), {"file": SimpleUploadedFile("x.apk", b"PK\x03\x04broken")}
    )
    assert response.status_code == 422
    assert response.json()["code"]


def test_an_auditor_sees_a_build_but_cannot_download_it(client, cast, build_settings):
    build = succeeded_build(cast.a.organization)
    client.force_login(cast.a.user("auditor"))

    page = client.get(reverse("build-detail", args=[build.pk]))
    assert page.status_code == 200
    assert b"Download the app" not in page.content
    assert client.get(reverse("build-download", args=[build.pk])).status_code == 403


def test_devops_downloads_the_output_and_the_download_is_audited(client, cast, build_settings):
    from console.models import AuditEvent
    from console.tenancy import unscoped_access

    build = succeeded_build(cast.a.organization, b"fused")
    client.force_login(cast.a.user("devops"))
    response = client.get(reverse("build-download", args=[build.pk]))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"fused"
    with unscoped_access():
        assert AuditEvent.objects.filter(action="output.downloaded").count() == 1


def test_the_build_list_filters_by_status_and_pages_by_keyset(client, cast):
    app = AppFactory(organization=cast.a.organization)
    for index in range(55):
        BuildFactory(organization=cast.a.organization, app=app,
                     requested_by_label=f"builder-{index:02d}")  # fmt: skip
    BuildFactory(organization=cast.a.organization, status=Build.FAILED,
                 requested_by_label="the-failed-one")  # fmt: skip
    client.force_login(cast.a.user("auditor"))

    failed = client.get(reverse("build-list"), {"status": "failed"}).content.decode()
    assert "the-failed-one" in failed and "builder-01" not in failed

    first = client.get(reverse("build-list"))
    assert first.context["next_query"]
    second = client.get(reverse("build-list") + "?" + first.context["next_query"])
    seen = {b.pk for b in first.context["builds"]} | {b.pk for b in second.context["builds"]}
    assert len(seen) == 56
    assert "next_query" not in second.context


def test_the_build_list_filters_by_requester_and_whole_days(client, cast):
    from datetime import datetime, timedelta

    from django.utils import timezone

    midnight = timezone.make_aware(datetime(2026, 11, 20))
    for label, at in (
        ("before", midnight - timedelta(seconds=1)),
        ("first-second", midnight),
        ("last-second", midnight + timedelta(days=1, seconds=-1)),
        ("next-day", midnight + timedelta(days=1)),
    ):
        BuildFactory(organization=cast.a.organization, requested_by_label=label, created_at=at)
    client.force_login(cast.a.user("auditor"))

    def listed(**params):
        page = client.get(reverse("build-list"), params)
        return sorted(build.requested_by_label for build in page.context["builds"])

    assert listed(since="2026-11-20", until="2026-11-20") == ["first-second", "last-second"]
    assert listed(since="2026-11-21") == ["next-day"]
    assert listed(until="2026-11-19") == ["before"]
    assert listed(who="next-day") == ["next-day"]
    page = client.get(reverse("build-list")).content.decode()
    assert 'href="/builds/?who=first-second"' in page
    assert listed(since="not a day") == ["before", "first-second", "last-second", "next-day"]


def test_the_app_filter_offers_recent_apps_and_keeps_an_older_choice(client, cast, monkeypatch):
    from datetime import timedelta

    from django.utils import timezone

    monkeypatch.setattr("builds.views.APP_CHOICES", 2)
    now = timezone.now()
    apps = [
        AppFactory(organization=cast.a.organization, uploaded_at=now - timedelta(days=age))
        for age in range(3)
    ]
    client.force_login(cast.a.user("auditor"))

    offered = client.get(reverse("build-list")).context["apps"]
    chosen = client.get(reverse("build-list"), {"app": str(apps[2].pk)}).context["apps"]

    assert [app.pk for app in offered] == [apps[0].pk, apps[1].pk]
    assert [app.pk for app in chosen] == [apps[0].pk, apps[1].pk, apps[2].pk]


def test_the_build_list_stays_at_a_fixed_number_of_queries(
    client, cast, django_assert_max_num_queries
):
    for _ in range(30):
        BuildFactory(organization=cast.a.organization)
    client.force_login(cast.a.user("auditor"))
    with django_assert_max_num_queries(14):
        assert client.get(reverse("build-list")).status_code == 200


def test_the_progress_fragment_polls_only_while_the_build_runs(client, cast, build_settings):
    running = BuildFactory(organization=cast.a.organization, status=Build.FUSING)
    done = succeeded_build(cast.a.organization)
    client.force_login(cast.a.user("devops"))

    assert b"hx-trigger" in client.get(reverse("build-progress", args=[running.pk])).content
    assert b"hx-trigger" not in client.get(reverse("build-progress", args=[done.pk])).content


def test_an_owner_adds_a_webhook_and_sees_its_secret_once(client, cast):
    client.force_login(cast.a.user("owner"))
    response = client.post(reverse("webhook-list"), {"url": "https://ci.example.com/hook"},
                           follow=True)  # fmt: skip
    assert b"shown this once" in response.content
    assert b"https://ci.example.com/hook" in client.get(reverse("webhook-list")).content


@requires_android_tools
def test_devops_starts_a_build_from_the_app_page(
    client, cast, apps, fusion_set_a, sent_steps, django_capture_on_commit_callbacks
):
    app = apps.upload(cast.a)
    client.force_login(cast.a.user("devops"))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("build-start"), {"app": str(app.pk), "fusion_set": str(fusion_set_a.pk)}
        )

    build = Build.unscoped.get()
    assert response.url == reverse("build-detail", args=[build.pk])
    assert build.status == Build.QUEUED and build.requested_by == cast.a.user("devops")
    assert [step for _id, step, _dispatch in sent_steps] == ["validating"]


def test_a_build_of_another_organizations_app_cannot_be_started(client, cast):
    theirs = AppFactory(organization=cast.b.organization)
    client.force_login(cast.a.user("devops"))
    assert client.post(reverse("build-start"), {"app": str(theirs.pk)}).status_code == 404
    assert client.post(reverse("build-start"), {"app": "not-an-id"}).status_code == 404
