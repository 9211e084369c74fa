"""Webhooks: tell an organization's URLs when a build ends, signed with HMAC-SHA256.

Each delivery is a row (pending, delivered, failed) and a Celery task that POSTs the JSON
summary with ``X-Fusebox-Signature: sha256=<hex>`` over the exact body, computed with the
webhook's secret; a failed POST is retried with exponential backoff up to the configured
number of attempts. The secret is sealed at rest and shown once, when the webhook is made.
"""

import hashlib
import hmac
import http.client
import json
import logging
import secrets
import socket
import ssl
from datetime import timedelta
from typing import NamedTuple

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from builds import webhook_targets
from builds.models import Build, Webhook, WebhookDelivery
from console.audit import record_event
from console.tenancy import current_organization, scope
from workers.engine.errors import RejectedInput

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Fusebox-Signature"
BACKOFF_BASE_SECONDS = 30


def signature(secret: bytes, body: bytes) -> str:
    """The header value a receiver recomputes to trust the body: ``sha256=<hex>``."""
    return "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()


class NewWebhook(NamedTuple):
    webhook: Webhook
    secret: str  # shown this once; only its sealed form is kept
    warning: str | None  # something the person registering it should know


def create_webhook(url: str, *, actor=None, request=None) -> NewWebhook:
    """Register ``url`` for the current organization.

    A URL that leads inside the network is refused with ``RejectedInput``.
    """
    warning = webhook_targets.check_for_registration(url)
    secret = secrets.token_urlsafe(32)
    webhook = Webhook(organization=current_organization(), url=url)
    webhook.seal_field("secret_sealed", secret.encode())
    webhook.save()
    record_event(webhook.organization_id, "webhook.created", actor=actor, request=request,
                 target=webhook, changes={"url": url})  # fmt: skip
    return NewWebhook(webhook, secret, warning)


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


def _new_delivery(webhook: Webhook, build: Build, event: str, payload: dict) -> WebhookDelivery:
    """A pending delivery of ``payload`` to ``webhook``, due now."""
    return WebhookDelivery.objects.create(
        organization_id=webhook.organization_id,
        webhook=webhook,
        build=build,
        event=event,
        payload=payload,
        next_attempt_at=timezone.now(),
    )


def queue_deliveries(organization_id: int, build_id) -> int:
    """Create one delivery per active webhook for an ended build and send them."""
    with scope(organization_id):
        build = Build.objects.select_related("app").get(pk=build_id)
        payload = summary(build)
        created = []
        with transaction.atomic():
            for webhook in Webhook.objects.filter(is_active=True):
                created.append(_new_delivery(webhook, build, payload["event"], payload))
    for delivery in created:
        deliver.delay(organization_id, str(delivery.pk))
    return len(created)


def redeliver(delivery: WebhookDelivery, *, actor=None, request=None) -> WebhookDelivery:
    """Send a delivery's payload again, as a new delivery with attempts of its own.

    The earlier delivery keeps its history (status, answer, attempts); a receiver that
    was down, or that lost what it received, gets the same JSON and a fresh signature.
    """
    again = _new_delivery(delivery.webhook, delivery.build, delivery.event, delivery.payload)
    record_event(
        delivery.organization_id,
        "webhook.redelivered",
        actor=actor,
        request=request,
        target=delivery.webhook,
        changes={"delivery_id": str(delivery.pk), "new_delivery_id": str(again.pk)},
    )
    organization_id, again_id = delivery.organization_id, str(again.pk)
    transaction.on_commit(lambda: deliver.delay(organization_id, again_id))
    return again


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
    """POST to the first checked address of the URL's host; (HTTP status, error text)."""
    try:
        target = webhook_targets.parse(url)
        address = str(webhook_targets.checked_addresses(target)[0])
    except RejectedInput as error:
        logger.warning("webhook delivery %s refused before connecting: %s", delivery_id, error)
        return None, f"refused: {error.message}"

    timeout = settings.FUSEBOX_WEBHOOK_TIMEOUT_SECONDS
    connection_class = PinnedHTTPSConnection if target.scheme == "https" else PinnedHTTPConnection
    connection = connection_class(target.host, target.port, address=address, timeout=timeout)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "Fusebox-Webhook/1",
        SIGNATURE_HEADER: signed,
        "X-Fusebox-Delivery": delivery_id,
    }
    try:
        connection.request("POST", target.path, body=body, headers=headers)
        response = connection.getresponse()
        response.read(64 * 1024)
    except (OSError, http.client.HTTPException) as error:
        return None, f"could not deliver to {target.host} ({address}): {error}"
    finally:
        connection.close()
    if 300 <= response.status < 400:
        return response.status, f"answered HTTP {response.status}; redirects are not followed"
    return response.status, "" if response.status < 300 else f"answered HTTP {response.status}"


class PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to an address checked beforehand, whatever the host name resolves to now."""

    def __init__(self, host: str, port: int, *, address: str, timeout: float):
        super().__init__(host, port, timeout=timeout)
        self.address = address

    def connect(self):
        self.sock = socket.create_connection((self.address, self.port), self.timeout)


class PinnedHTTPSConnection(http.client.HTTPSConnection):
    """As above, with TLS verified against the host name (SNI and certificate), not the IP."""

    def __init__(self, host: str, port: int, *, address: str, timeout: float):
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self.address = address

    def connect(self):
        raw = socket.create_connection((self.address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(raw, server_hostname=self.host)
