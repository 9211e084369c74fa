"""The audit trail page for owners and auditors, filtered by action, actor and date."""

from datetime import timedelta

from django.core.paginator import Paginator
from django.db.models import Q
from django.views.generic import TemplateView

from console.dates import start_of_day
from console.forms import AuditFilterForm
from console.mixins import TenantViewMixin
from console.models import AuditEvent

PAGE_SIZE = 50


class AuditTrailView(TenantViewMixin, TemplateView):
    template_name = "console/audit.html"
    required_permission = "audit.view"

    def get_template_names(self):
        if getattr(self.request, "htmx", False) and not self.request.htmx.boosted:
            return ["console/_audit_rows.html"]
        return [self.template_name]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = AuditFilterForm(self.request.GET or None)
        events = AuditEvent.objects.all()
        if form.is_valid():
            events = filter_events(events, form.cleaned_data)
        page = Paginator(events.order_by("-sequence"), PAGE_SIZE).get_page(
            self.request.GET.get("page")
        )
        query = self.request.GET.copy()
        query.pop("page", None)
        context.update(
            {"form": form, "page": page, "events": page.object_list, "query": query.urlencode()}
        )
        return context


def filter_events(events, filters):
    if filters.get("action"):
        events = events.filter(action__icontains=filters["action"].strip())
    if filters.get("actor"):
        events = events.filter(Q(actor_label__icontains=filters["actor"].strip()))
    if filters.get("since"):
        events = events.filter(created__gte=start_of_day(filters["since"]))
    if filters.get("until"):
        events = events.filter(created__lt=start_of_day(filters["until"] + timedelta(days=1)))
    return events
