"""The audit trail: who did what, from where, to which object, chained by hashes.

``record_event`` is the only way to write an ``AuditEvent``. Each event stores the hash of
its organization's previous event; the organization row is locked while the next position is
taken so two concurrent writers cannot fork the chain (the unique position constraint backs
this up on databases without row locks).
"""

import hashlib
import json
import logging
import re
from datetime import UTC

from django.db import IntegrityError, transaction
from django.utils import timezone

from console.models import ApiToken, AuditEvent, Organization
from console.tenancy import unscoped_access

logger = logging.getLogger(__name__)

GENESIS_HASH = "0" * 64
REDACTED = "[redacted]"
_SECRET_KEY_PATTERN = re.compile(
    r"(password|passphrase|secret|private|credential|api_key|^key$|_key$|token_key|pin$)",
    re.IGNORECASE,
)
_WRITE_ATTEMPTS = 5


def redact(changes):
    """A copy of ``changes`` with values under secret-looking keys replaced by a marker."""
    if isinstance(changes, dict):
        clean = {}
        for key, value in changes.items():
            if _SECRET_KEY_PATTERN.search(str(key)):
                logger.warning("audit: value of %r was redacted; pass a summary instead", key)
                clean[str(key)] = REDACTED
            else:
                clean[str(key)] = redact(value)
        return clean
    if isinstance(changes, list | tuple):
        return [redact(item) for item in changes]
    return changes


def event_digest(event: AuditEvent) -> str:
    """The hash of an event's content together with the previous event's hash."""
    content = {
        "organization": event.organization_id,
        "sequence": event.sequence,
        "created": event.created.astimezone(UTC).isoformat(),
        "action": event.action,
        "actor_user": event.actor_user_id,
        "actor_token": event.actor_token_id,
        "actor_label": event.actor_label,
        "source_ip": event.source_ip,
        "target_type": event.target_type,
        "target_id": event.target_id,
        "target_label": event.target_label,
        "changes": event.changes,
        "previous_hash": event.previous_hash,
    }
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def client_ip(request) -> str | None:
    """The caller's address; X-Forwarded-For is trusted only behind the documented proxy."""
    if request is None:
        return None

    from django.conf import settings

    if getattr(settings, "FUSEBOX_TRUST_X_FORWARDED_FOR", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip() or None
    return request.META.get("REMOTE_ADDR") or None


def _actor_fields(actor, request) -> dict:
    if actor is None and request is not None:
        actor = getattr(request, "api_token", None) or getattr(request, "user", None)

    if isinstance(actor, ApiToken):
        return {"actor_token_id": actor.pk, "actor_label": f"token {actor.name} ({actor.prefix})"}
    if actor is not None and getattr(actor, "is_authenticated", False) and actor.pk:
        return {"actor_user_id": actor.pk, "actor_label": actor.get_username()}
    return {"actor_label": "system"}


def _target_fields(target) -> dict:
    if target is None:
        return {}
    if isinstance(target, str):
        return {"target_label": target[:200]}
    return {
        "target_type": target._meta.label_lower,
        "target_id": str(target.pk),
        "target_label": str(target)[:200],
    }


def record_event(
    organization, action, *, actor=None, request=None, target=None, changes=None
) -> AuditEvent:
    """Append ``action`` (dotted, e.g. ``member.invited``) to the organization's trail."""
    organization_id = organization.pk if isinstance(organization, Organization) else organization
    fields = {
        "action": action,
        "source_ip": client_ip(request),
        "changes": json.loads(json.dumps(redact(changes or {}), default=str)),
        **_actor_fields(actor, request),
        **_target_fields(target),
    }

    for attempt in range(1, _WRITE_ATTEMPTS + 1):
        try:
            return _append(organization_id, fields)
        except IntegrityError:
            # Another writer took the same position (no row locks on SQLite): retry.
            logger.info(
                "audit: position race on organization %s, attempt %s", organization_id, attempt
            )
    raise RuntimeError(f"audit: could not append {action} for organization {organization_id}")


def _append(organization_id: int, fields: dict) -> AuditEvent:
    with transaction.atomic(), unscoped_access():
        Organization.objects.select_for_update().filter(pk=organization_id).first()
        last = (
            AuditEvent.unscoped.filter(organization_id=organization_id)
            .order_by("-sequence")
            .values("sequence", "hash")
            .first()
        )
        event = AuditEvent(
            organization_id=organization_id,
            sequence=(last["sequence"] + 1) if last else 1,
            created=timezone.now(),
            previous_hash=last["hash"] if last else GENESIS_HASH,
            **fields,
        )
        event.hash = event_digest(event)
        event.save()
        return event


def verify_chain(organization_id: int) -> str | None:
    """Walk one organization's trail; describe the first broken event, or None when intact."""
    previous_hash = GENESIS_HASH
    expected_sequence = 1
    events = AuditEvent.unscoped.filter(organization_id=organization_id).order_by("sequence")
    for event in events.iterator():
        if event.sequence != expected_sequence:
            return (
                f"audit event id={event.pk} (#{event.sequence}): event "
                f"#{expected_sequence} before it is missing"
            )
        if event.previous_hash != previous_hash:
            return (
                f"audit event id={event.pk} (#{event.sequence}): previous_hash does not match "
                "the event before it"
            )
        if event_digest(event) != event.hash:
            return (
                f"audit event id={event.pk} (#{event.sequence}, {event.action}): content "
                "does not match its hash (the row was changed)"
            )
        previous_hash = event.hash
        expected_sequence += 1
    return None
