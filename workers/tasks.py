"""Small housekeeping tasks of the worker itself."""

import logging
import socket

from celery import shared_task
from django.utils import timezone

logger = logging.getLogger(__name__)


@shared_task(name="workers.ping", ignore_result=True)
def ping(ping_id: int) -> None:
    """Answer a console ping: proves a worker process takes tasks off the broker."""
    from console.models import WorkerPing

    answered = WorkerPing.objects.filter(pk=ping_id).update(
        answered_at=timezone.now(), worker=socket.gethostname()
    )
    if not answered:
        logger.warning("ping %s: no such ping row (database reset?)", ping_id)


@shared_task(name="workers.heartbeat", ignore_result=True)
def heartbeat() -> None:
    """Scheduled by beat: record that a worker is taking tasks, and forget old pings."""
    from datetime import timedelta

    from console.models import WorkerPing

    now = timezone.now()
    WorkerPing.objects.create(requested_at=now, answered_at=now, worker=socket.gethostname())
    WorkerPing.objects.filter(requested_at__lt=now - timedelta(days=1)).delete()


# The pipeline's tasks live in their own modules; importing them here registers them with
# the worker, which only discovers ``tasks`` modules by itself.
from builds import webhooks  # noqa: E402, F401
from workers import pipeline, reaper  # noqa: E402, F401
