"""The reaper: finds builds whose worker died or whose message was lost, and moves them on.

Celery beat runs ``reap_builds`` every minute. A claimed step whose heartbeat stopped, or
a step sent long ago that no worker ever claimed, is sent again with a new dispatch number
(the old message, if it ever comes back, is then ignored) until the build's attempts run
out; then the build fails with ``worker_lost``. A build is never left running forever.
"""

import logging
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from console.tenancy import scope, unscoped_access

logger = logging.getLogger(__name__)


@shared_task(name="builds.reap", ignore_result=True)
def reap_builds() -> int:
    """Re-send or fail every stuck build; returns how many were handled."""
    from builds.models import Build

    now = timezone.now()
    dead_heartbeat = now - timedelta(seconds=settings.FUSEBOX_BUILD_HEARTBEAT_TIMEOUT)
    lost_message = now - timedelta(seconds=settings.FUSEBOX_BUILD_DISPATCH_TIMEOUT)
    # System work across organizations: each build is then handled inside its own scope.
    with unscoped_access():
        stuck = list(
            Build.objects.filter(status__in=Build.RUNNING)
            .filter(
                Q(claimed=True, heartbeat_at__lt=dead_heartbeat)
                | Q(claimed=False, dispatched_at__lt=lost_message)
            )
            .values_list("organization_id", "pk")[:500]
        )

    handled = 0
    for organization_id, build_id in stuck:
        with scope(organization_id):
            handled += _reap(build_id, dead_heartbeat, lost_message)
    if handled:
        logger.warning("reaper: %s stuck build(s) re-sent or failed", handled)
    return handled


def _reap(build_id, dead_heartbeat, lost_message) -> int:
    from builds import services
    from builds.models import Build

    with transaction.atomic():
        build = Build.objects.select_for_update().get(pk=build_id)
        if build.claimed and build.heartbeat_at and build.heartbeat_at < dead_heartbeat:
            what = f"Worker {build.worker} stopped answering during {build.status}"
        elif not build.claimed and build.dispatched_at and build.dispatched_at < lost_message:
            what = (
                f"No worker took the {_step_of(build)} step since {build.dispatched_at:%H:%M:%S}"
            )
        else:
            return 0

        step = _step_of(build)
        build.claimed = False
        build.dispatch += 1
        if build.attempt >= build.max_attempts:
            build.status = Build.FAILED
            build.reason_code = "worker_lost"
            build.reason_message = f"{what}; no attempts left ({build.max_attempts})."
            build.finished_at = timezone.now()
            build.save()
            services.add_message(build, build.reason_message, step=step, level="error")
            from workers.pipeline import _record_end

            _record_end(build, "build.failed")
            services.build_ended_on_commit(build)
            logger.warning("reaper: build %s failed: %s", build.pk, build.reason_message)
            return 1

        build.attempt += 1
        build.dispatched_at = timezone.now()
        build.save()
        services.add_message(
            build,
            f"{what}; the {step} step is sent again (attempt {build.attempt} of "
            f"{build.max_attempts}).",
            step=step,
            level="warning",
        )
        services.send_step_on_commit(build, step)
        logger.warning("reaper: build %s: %s re-sent (attempt %s)", build.pk, step, build.attempt)
    return 1


def _step_of(build) -> str:
    from builds.models import Build

    return Build.VALIDATING if build.status == Build.QUEUED else build.status
