"""Webhooks: tell an organization's URLs when a build ends, signed with HMAC-SHA256.

Each delivery is a row (pending, delivered, failed) and a Celery task that POSTs the JSON
summary with ``X-Fusebox-Signature: sha256=<hex>`` over the exact body, computed with the
webhook's secret; a failed POST is retried with exponential backoff up to the configured
number of attempts. The secret is sealed at rest and shown once, when the webhook is made.
"""

import hashlib
import hmac
import json
import logging
import secrets
import urllib.error
import urllib.request
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from builds.models import Build, Webhook, WebhookDelivery
from console.audit import record_event
from console.tenancy import current_organization, scope

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Fusebox-Signature"
BACKOFF_BASE_SECONDS = 30


def signature(secret: bytes, body: bytes) -> str:
    """The header value a receiver recomputes to trust the body: ``sha256=<hex>``."""
    return "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()


def create_webhook(url: str, *, actor=None, request=None) -> tuple[Webhook, str]:
    """Register ``url`` for the current organization; returns the webhook and its secret."""
    secret = secrets.token_urlsafe(32)
    webhook = Webhook(organization=current_organization(), url=url)
    webhook.seal_field("secret_sealed", secret.encode())
    webhook.save()
    record_event(webhook.organization_id, "webhook.created", actor=actor, request=request,
                 target=webhook, changes={"url": url})  # fmt: skip
    return webhook, secret


def delete_webhook(webhook: Webhook, *, actor=None, request=None) -> None:
    record_event(webhook.organization_id, "webhook.deleted", actor=actor, request=request,
                 target=webhook, changes={"url": webhook.url})  # fmt: skip
    webhook.delete()


def summary(build: Build) -> dict:
    """The JSON a webhook receives: ids, outcome and where to fetch the output."""
    return {
        "event": f"build.{build.status}",
        "build_id": str(build.pk),
        "status": build.status,
        "reason_code": build.reason_code or None,
        "reason": build.reason_message or None,
        "app_id": str(build.app_id),
        "package": build.app.package,
        "fusion_set_id": str(build.fusion_set_id),
        "revision": build.plan.get("revision_number"),
        "signing": build.signing_method,
        "attempt": build.attempt,
        "output_sha256": build.output_sha256 or None,
        "output_url": f"/api/v1/tasks/{build.pk}/output" if build.output_name else None,
        "finished_at": build.finished_at.isoformat() if build.finished_at else None,
    }


def queue_deliveries(organization_id: int, build_id) -> int:
    """Create one delivery per active webhook for an ended build and send them."""
    with scope(organization_id):
        build = Build.objects.select_related("app").get(pk=build_id)
        payload = summary(build)
        created = []
        with transaction.atomic():
            for webhook in Webhook.objects.filter(is_active=True):
                created.append(
                    WebhookDelivery.objects.create(
                        organization_id=organization_id,
                        webhook=webhook,
                        build=build,
                        event=payload["event"],
                        payload=payload,
                        next_attempt_at=timezone.now(),
                    )
                )
    for delivery in created:
        deliver.delay(organization_id, str(delivery.pk))
    return len(created)


@shared_task(name="builds.deliver_webhook", ignore_result=True, acks_late=True)
def deliver(organization_id: int, delivery_id: str) -> str:
    """POST one delivery; on failure schedule the next attempt with backoff."""
    with scope(organization_id):
        delivery = WebhookDelivery.objects.select_related("webhook").get(pk=delivery_id)
        if delivery.status != WebhookDelivery.PENDING:
            return delivery.status

        body = json.dumps(delivery.payload, sort_keys=True).encode()
        secret = delivery.webhook.open_field("secret_sealed")
        delivery.attempts += 1
        status_code, error = _post(delivery.webhook.url, body, signature(secret, body),
                                   str(delivery.pk))  # fmt: skip
        delivery.response_status = status_code
        if status_code is not None and 200 <= status_code < 300:
            delivery.status = WebhookDelivery.DELIVERED
            delivery.delivered_at = timezone.now()
            delivery.last_error = ""
            delivery.next_attempt_at = None
            delivery.save()
            return delivery.status

        delivery.last_error = (error or f"answered HTTP {status_code}")[:500]
        if delivery.attempts >= settings.FUSEBOX_WEBHOOK_MAX_ATTEMPTS:
            delivery.status = WebhookDelivery.FAILED
            delivery.next_attempt_at = None
            delivery.save()
            logger.warning("webhook delivery %s to %s failed for good: %s",
                           delivery.pk, delivery.webhook.url, delivery.last_error)  # fmt: skip
            return delivery.status

        delay = backoff_seconds(delivery.attempts)
        delivery.next_attempt_at = timezone.now() + timedelta(seconds=delay)
        delivery.save()
    deliver.apply_async(args=[organization_id, delivery_id], countdown=delay)
    return WebhookDelivery.PENDING


def backoff_seconds(attempts: int) -> int:
    """30 s, 60 s, 120 s, ... capped at one hour."""
    return min(BACKOFF_BASE_SECONDS * 2 ** (attempts - 1), 3600)


def _post(url: str, body: bytes, signed: str, delivery_id: str) -> tuple[int | None, str]:
    if not url.lower().startswith(("https://", "http://")):
        return None, "only http and https URLs are called"
    request = urllib.request.Request(  # noqa: S310 - http(s) only, checked above
        url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": "Fusebox-Webhook/1",
            SIGNATURE_HEADER: signed,
            "X-Fusebox-Delivery": delivery_id,
        },
    )
    try:
        timeout = settings.FUSEBOX_WEBHOOK_TIMEOUT_SECONDS
        # The scheme is checked above: only http(s), never file: or custom handlers.
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return response.status, ""
    except urllib.error.HTTPError as error:
        return error.code, f"answered HTTP {error.code}"
    except (urllib.error.URLError, OSError, ValueError) as error:
        reason = getattr(error, "reason", error)
        return None, f"could not connect: {reason}"
