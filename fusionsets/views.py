"""Console pages for Fusion Sets: list, editor, detail summary, history, diff, samples.

Pages read through the scoped managers (another organization's set is a 404) and change
sets only through ``fusionsets.services``, which validates, revises and audits.
"""

import json
import logging
import uuid

from django.contrib import messages
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views import View
from django.views.generic import DetailView, FormView, ListView

from console.mixins import TenantViewMixin
from fusionsets import exchange, services
from fusionsets.diff import diff_snapshots, with_names
from fusionsets.errors import FusionSetError
from fusionsets.features.mtls import validate_hosts
from fusionsets.forms import FusionSetForm, ImportForm
from fusionsets.models import FusionSet, FusionSetRevision
from fusionsets.samples import samples_for
from fusionsets.summary import summarize

logger = logging.getLogger(__name__)


class FusionSetListView(TenantViewMixin, ListView):
    model = FusionSet
    required_permission = "fusionsets.view"
    template_name = "fusionsets/list.html"
    paginate_by = 50

    def get_queryset(self):
        queryset = FusionSet.objects.select_related("current_revision")
        if not self.request.GET.get("archived"):
            queryset = queryset.filter(archived_at__isnull=True)
        query = self.request.GET.get("q", "").strip()
        if query:
            matches = Q(name__icontains=query) | Q(description__icontains=query)
            if _looks_like_uuid(query):
                matches |= Q(pk=query)
            queryset = queryset.filter(matches)
        return queryset

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["query"] = self.request.GET.get("q", "")
        context["show_archived"] = bool(self.request.GET.get("archived"))
        return context


def _looks_like_uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True


class FusionSetFormMixin:
    form_class = FusionSetForm
    template_name = "fusionsets/form.html"
    required_permission = "fusionsets.manage"

    def actor(self) -> dict:
        return {"actor": self.request.user, "request": self.request}


class FusionSetCreateView(FusionSetFormMixin, TenantViewMixin, FormView):
    def get_initial(self):
        return FusionSetForm.initial_for(None)

    def form_valid(self, form):
        try:
            fusion_set = services.create_fusion_set(
                name=form.cleaned_data["name"],
                description=form.cleaned_data.get("description") or "",
                settings=form.settings_document(),
                comment=form.cleaned_data.get("comment") or "",
                **self.actor(),
            )
        except FusionSetError as error:
            form.add_error(None, error.message)
            return self.form_invalid(form)
        messages.success(self.request, f"Fusion Set “{fusion_set.name}” created (revision 1).")
        return redirect("fusionset-detail", pk=fusion_set.pk)


class FusionSetEditView(FusionSetFormMixin, TenantViewMixin, FormView):
    def get_fusion_set(self):
        if not hasattr(self, "_fusion_set"):
            self._fusion_set = get_object_or_404(FusionSet.objects.all(), pk=self.kwargs["pk"])
        return self._fusion_set

    def get_initial(self):
        return FusionSetForm.initial_for(self.get_fusion_set())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["fusion_set"] = self.get_fusion_set()
        return context

    def form_valid(self, form):
        fusion_set = self.get_fusion_set()
        try:
            revision = services.update_fusion_set(
                fusion_set,
                name=form.cleaned_data["name"],
                description=form.cleaned_data.get("description") or "",
                settings=form.settings_document(),
                comment=form.cleaned_data.get("comment") or "",
                **self.actor(),
            )
        except FusionSetError as error:
            form.add_error(None, error.message)
            return self.form_invalid(form)
        if revision is None:
            messages.info(self.request, "Nothing changed; no new revision was made.")
        else:
            messages.success(self.request, f"Saved as revision {revision.number}.")
        return redirect("fusionset-detail", pk=fusion_set.pk)

    def post(self, request, *args, **kwargs):
        self.get_fusion_set()  # another organization's id is a 404 before any validation
        return super().post(request, *args, **kwargs)


class FusionSetDetailView(TenantViewMixin, DetailView):
    model = FusionSet
    required_permission = "fusionsets.view"
    template_name = "fusionsets/detail.html"
    context_object_name = "fusion_set"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["summary"] = summarize(self.object)
        return context


def trust_names() -> dict[str, str]:
    """Names of the organization's trust material by id, to show diffs in words."""
    from fusionsets.references import MODELS

    names = {}
    for model in MODELS.values():
        names.update({str(item.pk): item.name for item in model.objects.only("pk", "name")})
    return names


class FusionSetHistoryView(TenantViewMixin, DetailView):
    model = FusionSet
    required_permission = "fusionsets.view"
    template_name = "fusionsets/history.html"
    context_object_name = "fusion_set"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        names = trust_names()
        revisions = list(FusionSetRevision.objects.filter(fusion_set=self.object))
        context["revisions"] = [(r, with_names(r.diff, names)) for r in revisions]
        return context


class FusionSetDiffView(TenantViewMixin, DetailView):
    """The difference between any two revisions (``?from=1&to=3``)."""

    model = FusionSet
    required_permission = "fusionsets.view"
    template_name = "fusionsets/diff.html"
    context_object_name = "fusion_set"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        revisions = FusionSetRevision.objects.filter(fusion_set=self.object)
        latest = self.object.revision_number
        first = _number(self.request.GET.get("from"), max(latest - 1, 1))
        second = _number(self.request.GET.get("to"), latest)
        older = revisions.filter(number=first).first()
        newer = revisions.filter(number=second).first()
        if older is None or newer is None:
            raise Http404("no such revision")
        context.update(
            older=older,
            newer=newer,
            changes=with_names(diff_snapshots(older.settings, newer.settings), trust_names()),
            numbers=[revision.number for revision in revisions.only("number")],
        )
        return context


def _number(value, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


class FusionSetSamplesView(TenantViewMixin, DetailView):
    model = FusionSet
    required_permission = "fusionsets.view"
    template_name = "fusionsets/samples.html"
    context_object_name = "fusion_set"

    def get_context_data(self, **kwargs):
        from fusionsets.documents import mtls_settings

        context = super().get_context_data(**kwargs)
        threat_events = mtls_settings(self.object.settings)["threat_events"]
        context["threat_events"] = threat_events
        context["samples"] = samples_for(threat_events)
        return context


class FusionSetExportView(TenantViewMixin, View):
    required_permission = "fusionsets.view"

    def get(self, request, pk):
        fusion_set = get_object_or_404(FusionSet.objects.all(), pk=pk)
        body = json.dumps(exchange.export_fusion_set(fusion_set), indent=2) + "\n"
        response = HttpResponse(body, content_type="application/json")
        filename = f"fusion-set-{fusion_set.pk}.json"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


class FusionSetImportView(TenantViewMixin, FormView):
    required_permission = "fusionsets.manage"
    form_class = ImportForm
    template_name = "fusionsets/import.html"

    def form_valid(self, form):
        try:
            fusion_set = exchange.import_fusion_set(
                form.cleaned_data["document"],
                name=form.cleaned_data.get("name") or "",
                actor=self.request.user,
                request=self.request,
            )
        except FusionSetError as error:
            form.add_error(None, error.message)
            return self.form_invalid(form)
        messages.success(self.request, f"Fusion Set “{fusion_set.name}” imported.")
        return redirect("fusionset-detail", pk=fusion_set.pk)


class FusionSetActionView(TenantViewMixin, View):
    """POST-only state changes (freeze, unfreeze, clone, archive), audited by the service."""

    required_permission = "fusionsets.manage"
    action = ""

    def post(self, request, pk):
        fusion_set = get_object_or_404(FusionSet.objects.all(), pk=pk)
        actor = {"actor": request.user, "request": request}
        try:
            result = getattr(services, self.action)(fusion_set, **actor)
        except FusionSetError as error:
            messages.error(request, error.message)
            return redirect("fusionset-detail", pk=fusion_set.pk)
        messages.success(request, self.done(result))
        return redirect("fusionset-detail", pk=result.pk)

    def done(self, result) -> str:
        return {
            "freeze": f"“{result.name}” is frozen: it refuses changes until unfrozen.",
            "unfreeze": f"“{result.name}” is unfrozen and can change again.",
            "archive": f"“{result.name}” is archived: it can no longer change or build.",
            "clone": f"Cloned as “{result.name}”.",
        }[self.action]


class ValidateHostsView(TenantViewMixin, View):
    """Instant validation of the pinned hosts field (htmx), with the engine's rules."""

    required_permission = "fusionsets.manage"

    def get(self, request):
        return self._answer(request, request.GET.get("pinned_hosts", ""))

    def post(self, request):
        return self._answer(request, request.POST.get("pinned_hosts", ""))

    def _answer(self, request, text: str):
        context = {"hosts": [], "error": ""}
        try:
            context["hosts"] = validate_hosts(text[:20000], "pinned_hosts")
        except FusionSetError as error:
            context["error"] = error.message
        return render(request, "fusionsets/_hosts_feedback.html", context)
