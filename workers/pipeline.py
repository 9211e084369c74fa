"""The Celery tasks of the fusion pipeline: validate, fuse, sign, certify.

A task carries ids only: organization, build, step and the dispatch number it was sent
with. It re-enters the organization scope, claims the step on the locked build row (a stale
or duplicate message finds the row moved on and does nothing), does the step's work outside
any transaction while a heartbeat thread keeps ``heartbeat_at`` fresh, then records the
result and sends the next step once that commits. Outputs are written to fixed names with a
rename, so a step run twice leaves one artifact.
"""

import logging
import os
import socket
import threading
import time
from contextlib import contextmanager
from pathlib import Path

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db import connection, transaction
from django.utils import timezone

from console.tenancy import scope

logger = logging.getLogger(__name__)


class Cancelled(Exception):
    """The build was cancelled (or handed to another worker) while this step ran."""


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


@shared_task(
    name="builds.run_step",
    ignore_result=True,
    acks_late=True,
    reject_on_worker_lost=True,
)
def run_step(organization_id: int, build_id: str, step: str, dispatch: int) -> None:
    """Run one pipeline step of one build, if this message is still the one expected."""
    with scope(organization_id):
        execute_step(build_id, step, dispatch)


def execute_step(build_id: str, step: str, dispatch: int) -> str | None:
    """Claim, run and record ``step``; return the next step sent, or None."""
    from builds import services
    from workers import steps

    build = _claim(build_id, step, dispatch)
    if build is None:
        return None

    started = time.monotonic()
    produced: list[str] = []
    try:
        with _heartbeat(build):
            _pause_if_asked(build, step)
            getattr(steps, STEP_FUNCTIONS[step])(build, produced)
            next_step = NEXT_STEP[step]
    except Cancelled:
        logger.info("build %s: %s stopped: the build was cancelled", build.pk, step)
        _discard(build, produced)
        return None
    except SoftTimeLimitExceeded:
        limit = settings.FUSEBOX_BUILD_STEP_TIME_LIMITS[step]
        _fail(build, step, dispatch, "step_timed_out",
              f"The {step} step ran over its {limit} s time limit.", produced)  # fmt: skip
        return None
    except Exception as error:
        code, message, known = _describe(error)
        if not known:
            logger.exception("build %s: %s crashed", build.pk, step)
            if _retry_in_place(build, step, dispatch, message):
                return step
        _fail(build, step, dispatch, code, message, produced)
        return None

    elapsed = time.monotonic() - started
    return _advance(build, step, dispatch, next_step, elapsed, produced, services)


def _describe(error: Exception) -> tuple[str, str, bool]:
    """A stable code and message for the build log; ``known`` False for unexpected errors."""
    from vault.errors import VaultError
    from vault.unavailable import log_vault_failure
    from workers.engine.errors import EngineError

    if isinstance(error, VaultError):
        # The key's whereabouts are for the operator's log, not for the tenant's build log.
        log_vault_failure(error, "a build step")
        return (
            error.code,
            "The server could not open the organization's secrets (its encryption keys are "
            "unavailable); retry the build once the administrator has restored them.",
            True,
        )
    if isinstance(error, EngineError):
        return error.code, error.message, True
    if isinstance(error, ObjectDoesNotExist):
        return (
            "material_missing",
            "Trust material named by the Fusion Set no longer exists; edit the Fusion Set.",
            True,
        )
    return "internal_error", f"The worker hit an unexpected {type(error).__name__}.", False


def _claim(build_id: str, step: str, dispatch: int):
    from builds.models import Build
    from builds.services import add_message

    with transaction.atomic():
        build = Build.objects.select_for_update().filter(pk=build_id).first()
        if build is None:
            logger.warning(
                "build %s: %s message for a build that no longer exists", build_id, step
            )
            return None
        expected = (Build.QUEUED, Build.VALIDATING) if step == Build.VALIDATING else (step,)
        if build.status not in expected or build.dispatch != dispatch:
            logger.info(
                "build %s: %s message #%s ignored (build is %s, dispatch #%s)",
                build.pk, step, dispatch, build.status, build.dispatch,
            )  # fmt: skip
            return None
        if build.claimed and not _heartbeat_stale(build):
            logger.info("build %s: %s already running on %s", build.pk, step, build.worker)
            return None

        now = timezone.now()
        build.status = step
        build.claimed = True
        build.worker = worker_name()
        build.heartbeat_at = now
        build.step_started_at = now
        build.started_at = build.started_at or now
        build.save()
        add_message(build, f"{step.capitalize()} started on {build.worker} "
                    f"(attempt {build.attempt})", step=step)  # fmt: skip
    return build


def _heartbeat_stale(build) -> bool:
    if build.heartbeat_at is None:
        return True
    age = (timezone.now() - build.heartbeat_at).total_seconds()
    return age > settings.FUSEBOX_BUILD_HEARTBEAT_TIMEOUT


def _advance(build, step, dispatch, next_step, elapsed, produced, services):
    from builds.models import Build

    with transaction.atomic():
        current = Build.objects.select_for_update().get(pk=build.pk)
        if current.status != step or current.dispatch != dispatch:
            logger.info("build %s: %s finished but the build moved on", build.pk, step)
            _discard(current, produced)
            return None

        for field in STEP_FIELDS:
            setattr(current, field, getattr(build, field))
        current.timings = {**current.timings, step: round(elapsed, 3)}
        current.claimed = False
        current.heartbeat_at = timezone.now()
        if next_step is None:
            current.status = Build.SUCCEEDED
            current.finished_at = timezone.now()
            current.save()
            total = (current.finished_at - current.created_at).total_seconds()
            services.add_message(current, f"Build succeeded in {total:.1f} s", step=step)
            _record_end(current, "build.succeeded")
            services.build_ended_on_commit(current)
            return None

        current.status = next_step
        current.dispatch += 1
        current.dispatched_at = timezone.now()
        current.save()
        services.send_step_on_commit(current, next_step)
    return next_step


STEP_FIELDS = (
    "output_name",
    "output_size",
    "output_sha256",
    "script_name",
    "signer_sha256",
    "signature_schemes",
    "proof",
)


def _record_end(build, action: str) -> None:
    from console.audit import record_event

    changes = {"attempt": build.attempt, "timings": build.timings}
    if build.reason_code:
        changes["reason"] = build.reason_code
    if build.output_sha256:
        changes["output_sha256"] = build.output_sha256
    record_event(build.organization_id, action, target=build, changes=changes)


def _fail(build, step, dispatch, code, message, produced) -> None:
    from builds import services
    from builds.models import Build

    with transaction.atomic():
        current = Build.objects.select_for_update().get(pk=build.pk)
        if current.status != step or current.dispatch != dispatch:
            _discard(current, produced)
            return
        from workers.steps import intermediate_name

        _discard(current, [*produced, intermediate_name(current)])
        current.status = Build.FAILED
        current.reason_code = code[:80]
        current.reason_message = message
        current.claimed = False
        current.finished_at = timezone.now()
        current.save()
        services.add_message(current, f"Build failed in {step}: {message} ({code})",
                             step=step, level="error")  # fmt: skip
        _record_end(current, "build.failed")
        services.build_ended_on_commit(current)
    logger.warning("build %s: failed in %s: %s: %s", build.pk, step, code, message)


def _retry_in_place(build, step, dispatch, message) -> bool:
    """Send the same step again after an unexpected error, while attempts remain."""
    from builds import services
    from builds.models import Build

    with transaction.atomic():
        current = Build.objects.select_for_update().get(pk=build.pk)
        if current.status != step or current.dispatch != dispatch:
            return False
        if current.attempt >= current.max_attempts:
            return False
        current.attempt += 1
        current.dispatch += 1
        current.claimed = False
        current.dispatched_at = timezone.now()
        current.save()
        services.add_message(current, f"{message} Trying the {step} step again (attempt "
                             f"{current.attempt} of {current.max_attempts}).",
                             step=step, level="warning")  # fmt: skip
        services.send_step_on_commit(current, step)
    return True


def _discard(build, produced: list[str]) -> None:
    """Remove what a step wrote when its result is not kept (cancelled or superseded)."""
    from builds import storage

    for name in produced:
        storage.delete(name)


@contextmanager
def _heartbeat(build):
    """Refresh ``heartbeat_at`` from a thread while the step works; stop with the step."""
    interval = settings.FUSEBOX_BUILD_HEARTBEAT_SECONDS
    if interval <= 0:
        yield
        return

    from builds.models import Build

    stop = threading.Event()

    def beat():
        try:
            while not stop.wait(interval):
                Build.unscoped.filter(pk=build.pk, dispatch=build.dispatch).update(
                    heartbeat_at=timezone.now()
                )
        finally:
            connection.close()

    thread = threading.Thread(target=beat, name=f"heartbeat-{build.pk}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=interval + 5)


def check_still_wanted(build) -> None:
    """Raise ``Cancelled`` when the build was cancelled or handed on while a step worked."""
    from builds.models import Build

    row = Build.unscoped.filter(pk=build.pk).values("status", "dispatch").first()
    if row is None or row["status"] == Build.CANCELLED or row["dispatch"] != build.dispatch:
        raise Cancelled()


def _pause_if_asked(build, step: str) -> None:
    """Test hook: hold a step while the file named by the setting names it.

    Lets the reliability tests kill a worker in the middle of a chosen step. The setting is
    empty in production, so this costs one attribute read.
    """
    pause_file = settings.FUSEBOX_BUILD_PAUSE_FILE
    if not pause_file:
        return
    path = Path(pause_file)
    announced = False
    while path.exists() and step in path.read_text().split():
        if not announced:
            from builds.services import add_message

            add_message(build, f"Paused in {step} (test pause file)", step=step)
            announced = True
        time.sleep(0.1)


STEP_FUNCTIONS = {
    "validating": "validate",
    "fusing": "fuse",
    "signing": "sign",
    "certifying": "certify",
}
NEXT_STEP = {
    "validating": "fusing",
    "fusing": "signing",
    "signing": "certifying",
    "certifying": None,
}
