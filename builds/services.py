"""Start, cancel and retry builds; write their log lines; hand steps to the workers.

Every change of a build's status happens here or in ``workers.pipeline``, inside a
transaction that holds the build row locked, and tasks are sent only once it commits.
"""

import logging
import re

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from builds import storage
from builds.models import App, Build, BuildMessage
from console.audit import client_ip, record_event
from console.models import ApiToken
from console.tenancy import current_organization
from fusionsets.planning import plan_for_build
from trust.models import SigningKeystore
from workers.engine.errors import RejectedInput

logger = logging.getLogger(__name__)

_HEX64 = re.compile(r"^[0-9a-f]{64}$")


class BuildStateError(RejectedInput):
    """The build is not in a state that allows the action (answered 409 by the API)."""

    code = "build_state_invalid"


def plain_fingerprint(value: str, *, field: str = "signing_fingerprint") -> str:
    """A SHA-256 fingerprint as 64 lowercase hex digits, from any usual spelling."""
    text = re.sub(r"[\s:]", "", value or "").lower()
    if not _HEX64.match(text):
        raise RejectedInput(
            f"{field}: a SHA-256 fingerprint is 64 hex digits, with or without colons",
            code="fingerprint_invalid",
        )
    return text


def colon_fingerprint(value: str) -> str:
    return ":".join(value[index : index + 2] for index in range(0, len(value), 2)).upper()


def add_message(build: Build, text: str, *, step: str | None = None, level="info") -> None:
    """Append one line to the build's log (and keep the heartbeat fresh while at it)."""
    now = timezone.now()
    BuildMessage.objects.create(
        build_id=build.pk, at=now, step=step or build.status, level=level, text=text
    )
    logger.info("build %s: %s", build.pk, text)


def _signing_fingerprint(plan: dict, given: str) -> str:
    """The certificate the fused identity is bound to, for the build's signing method."""
    signing = plan["signing"]
    if signing["method"] == "fusebox":
        keystore = SigningKeystore.objects.get(pk=signing["keystore_id"])
        return plain_fingerprint(keystore.sha256)
    if given:
        return plain_fingerprint(given)
    if signing["method"] == "private" and signing["fingerprints"]:
        return plain_fingerprint(signing["fingerprints"][0])
    raise RejectedInput(
        "signing_fingerprint: auto-dev and private signing need the SHA-256 of the "
        "certificate you will sign the app with",
        code="fingerprint_required",
    )


def _actor_fields(actor, request) -> dict:
    token = actor if isinstance(actor, ApiToken) else None
    user = actor if token is None and getattr(actor, "pk", None) else None
    if token is not None:
        label = f"token {token.name} ({token.prefix})"
    elif user is not None:
        label = user.get_username()
    else:
        label = "system"
    return {
        "requested_by": user,
        "requested_by_token": token,
        "requested_by_label": label[:200],
        "source_ip": client_ip(request),
    }


def start_build(
    app: App,
    fusion_set,
    *,
    overrides: dict | None = None,
    signing_fingerprint: str = "",
    parent: Build | None = None,
    actor=None,
    request=None,
) -> Build:
    """Plan and queue a build of ``app`` with ``fusion_set``; refusals are coded errors.

    A build with a ``parent`` signs the parent's app another way: it is planned from the
    Fusion Set revision the parent was built with, so changing the set in between does not
    change what the new build carries.
    """
    revision = parent.fusion_set_revision if parent is not None else None
    plan = plan_for_build(fusion_set, overrides or {}, revision=revision).to_dict()
    fingerprint = _signing_fingerprint(plan, signing_fingerprint)

    with transaction.atomic():
        build = Build(
            organization=current_organization(),
            app=app,
            fusion_set=fusion_set,
            fusion_set_revision_id=plan["revision_id"],
            parent=parent,
            plan=plan,
            overrides=overrides or {},
            signing_method=plan["signing"]["method"],
            signing_fingerprint=fingerprint,
            max_attempts=settings.FUSEBOX_BUILD_MAX_ATTEMPTS,
            dispatch=1,
            dispatched_at=timezone.now(),
            **_actor_fields(actor, request),
        )
        build.save()
        add_message(
            build,
            f"Build queued: {app} with Fusion Set '{fusion_set.name}' revision "
            f"{plan['revision_number']}, signing: {build.signing_method}",
            step=Build.QUEUED,
        )
        record_event(
            build.organization_id,
            "build.started",
            actor=actor,
            request=request,
            target=build,
            changes={
                "app": str(app.pk),
                "fusion_set": str(fusion_set.pk),
                "revision": plan["revision_number"],
                "signing": build.signing_method,
            },
        )
        send_step_on_commit(build, Build.VALIDATING)
    return build


def send_step_on_commit(build: Build, step: str) -> None:
    """Queue ``step`` of ``build`` with its time limits once the transaction commits."""
    organization_id, build_id, dispatch = build.organization_id, str(build.pk), build.dispatch
    transaction.on_commit(lambda: send_step(organization_id, build_id, step, dispatch))


def send_step(organization_id: int, build_id: str, step: str, dispatch: int) -> None:
    from workers.pipeline import run_step

    limit = settings.FUSEBOX_BUILD_STEP_TIME_LIMITS[step]
    run_step.apply_async(
        args=[organization_id, build_id, step, dispatch],
        soft_time_limit=limit,
        time_limit=limit + 30,
    )


def cancel_build(build: Build, *, actor=None, request=None) -> Build:
    """Stop a queued or running build; a step still running throws its work away."""
    with transaction.atomic():
        build = Build.objects.select_for_update().get(pk=build.pk)
        if not build.is_running:
            raise BuildStateError(
                f"the build is {build.status}; only queued or running builds can be cancelled"
            )
        from workers.steps import intermediate_name

        storage.delete(intermediate_name(build))
        build.status = Build.CANCELLED
        build.reason_code = "cancelled"
        build.reason_message = (
            f"Cancelled by {_actor_fields(actor, request)['requested_by_label']}"
        )
        build.dispatch += 1
        build.claimed = False
        build.finished_at = timezone.now()
        build.save()
        add_message(build, build.reason_message, step=Build.CANCELLED)
        record_event(build.organization_id, "build.cancelled", actor=actor, request=request,
                     target=build)  # fmt: skip
        build_ended_on_commit(build)
    return build


def retry_build(build: Build, *, actor=None, request=None) -> Build:
    """Run a failed or cancelled build again from the start: a new attempt, same build."""
    with transaction.atomic():
        build = Build.objects.select_for_update().get(pk=build.pk)
        if build.status not in (Build.FAILED, Build.CANCELLED):
            raise BuildStateError(
                f"the build is {build.status}; only failed or cancelled builds can be retried"
            )
        for name in (build.output_name, build.script_name):
            storage.delete(name)
        build.attempt += 1
        build.max_attempts = build.attempt + settings.FUSEBOX_BUILD_MAX_ATTEMPTS - 1
        build.status = Build.QUEUED
        build.reason_code = build.reason_message = ""
        build.output_name = build.script_name = build.output_sha256 = ""
        build.output_size = None
        build.proof = {}
        build.dispatch += 1
        build.claimed = False
        build.dispatched_at = timezone.now()
        build.finished_at = None
        build.save()
        label = _actor_fields(actor, request)["requested_by_label"]
        add_message(build, f"Retry requested by {label} (attempt {build.attempt})",
                    step=Build.QUEUED)  # fmt: skip
        record_event(build.organization_id, "build.retried", actor=actor, request=request,
                     target=build, changes={"attempt": build.attempt})  # fmt: skip
        send_step_on_commit(build, Build.VALIDATING)
    return build


def build_ended_on_commit(build: Build) -> None:
    """Tell the organization's webhooks once the ended build is committed."""
    from builds import webhooks

    organization_id, build_id = build.organization_id, build.pk
    transaction.on_commit(lambda: webhooks.queue_deliveries(organization_id, build_id))
