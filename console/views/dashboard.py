"""The dashboard, with the worker status that proves the task queue round-trips."""

import logging
from datetime import timedelta

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone
from django.views.generic import TemplateView

from console.mixins import TenantViewMixin
from console.models import AuditEvent, Membership, WorkerPing
from console.navigation import dashboard_cards_for

logger = logging.getLogger(__name__)

PING_INTERVAL = timedelta(seconds=20)
ONLINE_WITHIN = timedelta(seconds=60)


class DashboardView(TenantViewMixin, TemplateView):
    template_name = "console/dashboard.html"
    required_permission = "dashboard.view"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["cards"] = dashboard_cards_for(self.request.role)
        context["member_count"] = Membership.objects.count()
        context["recent_events"] = list(AuditEvent.objects.order_by("-sequence")[:5])
        return context


@login_required
def worker_status(request):
    """htmx fragment: send a ping when the last one is old, show when the worker last answered.

    Sending the ping is part of reading the page on purpose: a laptop install has no beat
    scheduler, and the status is only interesting while somebody is looking at it.
    """
    now = timezone.now()
    latest = WorkerPing.objects.order_by("-requested_at").first()
    if latest is None or now - latest.requested_at > PING_INTERVAL:
        from workers.tasks import ping

        record = WorkerPing.objects.create()
        try:
            ping.delay(record.pk)
        except Exception:
            logger.exception("dashboard: could not send the ping task to the broker")

    answered = (
        WorkerPing.objects.filter(answered_at__isnull=False).order_by("-answered_at").first()
    )
    age = int((now - answered.answered_at).total_seconds()) if answered else None
    online = answered is not None and now - answered.answered_at < ONLINE_WITHIN
    return render(
        request,
        "console/_worker_status.html",
        {"online": online, "answered": answered, "age_seconds": age},
    )
