"""Webhook deliveries (HMAC-SHA256, retries with backoff) and the reaper of stuck builds."""

import hashlib
import hmac
import json
from datetime import timedelta

import pytest
from django.utils import timezone

from builds import webhooks
from builds.models import Build, WebhookDelivery
from console.tenancy import scope, unscoped_access
from tests.builds.factories import BuildFactory

pytestmark = [pytest.mark.django_db]


@pytest.fixture(autouse=True)
def receivers_on_loopback(settings):
    """The test receivers listen on 127.0.0.1, which webhooks may not reach by default."""
    settings.FUSEBOX_WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.0/8"]


def test_a_delivery_is_signed_with_hmac_sha256_of_the_exact_body(cast, receiver, no_redelivery):
    hook = receiver()
    build = BuildFactory(organization=cast.a.organization, status=Build.SUCCEEDED)
    with scope(cast.a.organization):
        secret = webhooks.create_webhook(hook.url).secret
    assert webhooks.queue_deliveries(cast.a.organization.pk, build.pk) == 1
    delivery = WebhookDelivery.unscoped.get()

    assert webhooks.deliver(cast.a.organization.pk, str(delivery.pk)) == "delivered"
    headers, body = hook.received[0]
    expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    assert headers["X-Fusebox-Signature"] == f"sha256={expected}"
    assert json.loads(body)["build_id"] == str(build.pk)
    assert json.loads(body)["event"] == "build.succeeded"


def test_a_failed_delivery_is_retried_with_backoff_then_marked_failed(
    cast, receiver, no_redelivery, settings
):
    settings.FUSEBOX_WEBHOOK_MAX_ATTEMPTS = 3
    hook = receiver(statuses=[500, 502, 503])
    build = BuildFactory(organization=cast.a.organization, status=Build.FAILED)
    with scope(cast.a.organization):
        webhooks.create_webhook(hook.url)
    webhooks.queue_deliveries(cast.a.organization.pk, build.pk)
    delivery_id = str(WebhookDelivery.unscoped.get().pk)

    results = [webhooks.deliver(cast.a.organization.pk, delivery_id) for _ in range(3)]

    assert results == ["pending", "pending", "failed"]
    assert [call["countdown"] for call in no_redelivery] == [30, 60]
    delivery = WebhookDelivery.unscoped.get()
    assert delivery.attempts == 3 and delivery.response_status == 503


def test_the_api_lists_deliveries_newest_first_a_page_at_a_time(api_for, cast, no_redelivery):
    organization = cast.a.organization
    with scope(organization):
        webhook = webhooks.create_webhook("https://ci.invalid/build-ended").webhook
    builds = [BuildFactory(organization=organization, status=Build.SUCCEEDED) for _ in range(3)]
    for build in builds:
        webhooks.queue_deliveries(organization.pk, build.pk)
    api = api_for(cast.a, "owner")

    first = api.get(f"/api/v1/webhooks/{webhook.pk}/deliveries/?limit=2").json()
    rest = api.get(first["next"]).json()

    assert first["count"] == 3
    listed = [row["build_id"] for row in first["results"] + rest["results"]]
    assert listed == [str(build.pk) for build in reversed(builds)]
    assert (
        api_for(cast.a, "devops").get(f"/api/v1/webhooks/{webhook.pk}/deliveries/").status_code
        == 403
    )
    assert (
        api_for(cast.b, "owner").get(f"/api/v1/webhooks/{webhook.pk}/deliveries/").status_code
        == 404
    )


def test_a_failed_delivery_is_sent_again_on_request_as_a_new_delivery(
    cast, receiver, no_redelivery, settings, api_for, client, monkeypatch,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    from django.urls import reverse

    from console.models import AuditEvent

    settings.FUSEBOX_WEBHOOK_MAX_ATTEMPTS = 1
    hook = receiver(statuses=[503, 200, 200])
    build = BuildFactory(organization=cast.a.organization, status=Build.SUCCEEDED)
    with scope(cast.a.organization):
        webhook = webhooks.create_webhook(hook.url).webhook
    webhooks.queue_deliveries(cast.a.organization.pk, build.pk)
    first = WebhookDelivery.unscoped.get()
    assert webhooks.deliver(cast.a.organization.pk, str(first.pk)) == "failed"
    sent = []
    monkeypatch.setattr(webhooks.deliver, "delay", lambda _organization, pk: sent.append(pk))
    api = api_for(cast.a, "owner")

    with django_capture_on_commit_callbacks(execute=True):
        answer = api.post(f"/api/v1/webhooks/{webhook.pk}/deliveries/{first.pk}/redeliver/")
    client.force_login(cast.a.user("owner"))
    with django_capture_on_commit_callbacks(execute=True):
        page = client.post(reverse("webhook-redeliver", args=[first.pk]), follow=True)
    for delivery_id in sent:
        assert webhooks.deliver(cast.a.organization.pk, delivery_id) == "delivered"

    assert answer.status_code == 202 and answer.json()["status"] == "pending", answer.json()
    assert "again" in page.content.decode()
    assert len(sent) == 2 and answer.json()["id"] == sent[0]
    assert [body for _headers, body in hook.received[1:]] == [hook.received[0][1]] * 2
    first.refresh_from_db()
    assert first.status == "failed" and first.response_status == 503
    with unscoped_access():
        assert AuditEvent.objects.filter(action="webhook.redelivered").count() == 2
    unknown = api.post(f"/api/v1/webhooks/{webhook.pk}/deliveries/{build.pk}/redeliver/")
    assert unknown.status_code == 404 and unknown.json()["code"] == "delivery_not_found"


def test_the_reaper_resends_a_step_whose_worker_stopped_beating(cast, monkeypatch):
    sent = []
    monkeypatch.setattr("builds.services.send_step", lambda *args: sent.append(args))
    stale = timezone.now() - timedelta(hours=1)
    build = BuildFactory(organization=cast.a.organization, status=Build.FUSING, claimed=True,
                         heartbeat_at=stale, worker="gone:1")  # fmt: skip
    from workers.reaper import reap_builds

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("django.db.transaction.on_commit", lambda callback: callback())
        assert reap_builds() == 1

    with unscoped_access():
        build.refresh_from_db()
    assert build.status == Build.FUSING and build.attempt == 2 and not build.claimed
    assert sent == [(cast.a.organization.pk, str(build.pk), "fusing", build.dispatch)]


def test_the_reaper_fails_a_build_that_ran_out_of_attempts(cast, monkeypatch):
    monkeypatch.setattr("builds.services.send_step", lambda *args: None)
    monkeypatch.setattr("builds.webhooks.queue_deliveries", lambda *args: 0)
    stale = timezone.now() - timedelta(hours=1)
    build = BuildFactory(organization=cast.a.organization, status=Build.SIGNING, claimed=True,
                         heartbeat_at=stale, attempt=3, max_attempts=3)  # fmt: skip
    from workers.reaper import reap_builds

    assert reap_builds() == 1
    with unscoped_access():
        build.refresh_from_db()
    assert build.status == Build.FAILED and build.reason_code == "worker_lost"


def test_the_reaper_leaves_healthy_builds_alone(cast):
    BuildFactory(organization=cast.a.organization, status=Build.FUSING, claimed=True,
                 heartbeat_at=timezone.now())  # fmt: skip
    BuildFactory(organization=cast.a.organization, status=Build.QUEUED,
                 dispatched_at=timezone.now())  # fmt: skip
    from workers.reaper import reap_builds

    assert reap_builds() == 0


def test_celery_beat_runs_the_reaper_and_steps_carry_their_time_limits(monkeypatch, settings):
    from builds import services
    from workers.pipeline import run_step

    assert settings.CELERY_BEAT_SCHEDULE["build-reaper"]["task"] == "builds.reap"
    sent = []
    monkeypatch.setattr(run_step, "apply_async", lambda **kwargs: sent.append(kwargs))
    settings.FUSEBOX_BUILD_STEP_TIME_LIMITS = {**settings.FUSEBOX_BUILD_STEP_TIME_LIMITS,
                                               "fusing": 42}  # fmt: skip
    services.send_step(1, "b", "fusing", 3)

    assert sent == [{"args": [1, "b", "fusing", 3], "soft_time_limit": 42, "time_limit": 72}]
    assert run_step.acks_late and run_step.reject_on_worker_lost
