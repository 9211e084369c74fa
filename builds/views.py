"""Console pages of apps and builds: upload, start, follow, download, cancel and retry."""

import logging
from datetime import datetime, timedelta

from django.contrib import messages
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.dateparse import parse_date, parse_datetime
from django.views import View
from django.views.generic import DetailView, ListView, TemplateView

from builds import downloads, services, uploads
from builds.models import App, Build, Webhook, WebhookDelivery
from builds.webhooks import create_webhook, delete_webhook, redeliver
from console import roles
from console.dates import start_of_day
from console.mixins import TenantViewMixin
from fusionsets.models import FusionSet
from workers.engine.errors import RejectedInput

logger = logging.getLogger(__name__)

PAGE_SIZE = 50


class AppListView(TenantViewMixin, ListView):
    """Uploaded apps, newest first, with the drag-and-drop upload area for DevOps."""

    model = App
    required_permission = "builds.view"
    template_name = "builds/app_list.html"
    paginate_by = PAGE_SIZE

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["max_upload_bytes"] = uploads.max_upload_bytes()
        return context


class AppUploadView(TenantViewMixin, View):
    """The console's upload endpoint for the XMLHttpRequest in the upload area (JSON)."""

    required_permission = "apps.upload"

    def post(self, request):
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
        if declared > uploads.max_upload_bytes() + 64 * 1024:
            error = uploads.too_large(declared)
            return JsonResponse({"code": error.code, "detail": error.message}, status=413)
        uploaded = request.FILES.get("file")
        if uploaded is None:
            return JsonResponse(
                {"code": "file_missing", "detail": "choose an APK to upload"}, status=400
            )
        try:
            result = uploads.accept_upload(uploaded, actor=request.user, request=request)
        except uploads.UploadTooLarge as error:
            return JsonResponse({"code": error.code, "detail": error.message}, status=413)
        except RejectedInput as error:
            return JsonResponse({"code": error.code, "detail": error.message}, status=422)
        return JsonResponse(
            {
                "id": str(result.app.pk),
                "duplicate": not result.created,
                "package": result.app.package,
                "url": reverse("app-detail", args=[result.app.pk]),
            },
            status=201 if result.created else 200,
        )


class AppDetailView(TenantViewMixin, DetailView):
    """One app: its analysis, its builds and the form that starts a new one."""

    model = App
    required_permission = "builds.view"
    template_name = "builds/app_detail.html"
    context_object_name = "app"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["builds"] = self.object.builds.all()[:20]
        context["fusion_sets"] = FusionSet.objects.filter(archived_at__isnull=True)
        context["signing_methods"] = [
            ("", "As the Fusion Set says"),
            ("fusebox", "Sign on Fusebox"),
            ("private", "Private signing (fingerprint)"),
            ("auto_dev", "Auto-dev: unsigned app and a signing script"),
        ]
        return context


class BuildStartView(TenantViewMixin, View):
    """Start a build from the app page's form."""

    required_permission = "builds.run"

    def post(self, request):
        if not _is_uuid(request.POST.get("app")):
            raise Http404("no such app")
        app = get_object_or_404(App.objects.all(), pk=request.POST["app"])
        chosen = request.POST.get("fusion_set")
        fusion_set = FusionSet.objects.filter(pk=chosen).first() if _is_uuid(chosen) else None
        if fusion_set is None:
            messages.error(request, "Choose a Fusion Set for the build.")
            return redirect("app-detail", pk=app.pk)

        method = request.POST.get("signing_method") or ""
        fingerprint = (request.POST.get("signing_fingerprint") or "").strip()
        overrides = {}
        if method:
            overrides["signing"] = {"method": method}
            if method == "private" and fingerprint:
                overrides["signing"]["fingerprints"] = [fingerprint]
        try:
            build = services.start_build(
                app,
                fusion_set,
                overrides=overrides,
                signing_fingerprint=fingerprint,
                actor=request.user,
                request=request,
            )
        except RejectedInput as error:
            messages.error(request, f"The build cannot start: {error.message} ({error.code})")
            return redirect("app-detail", pk=app.pk)
        return redirect("build-detail", pk=build.pk)


def _is_uuid(value) -> bool:
    import uuid

    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


class BuildListView(TenantViewMixin, TemplateView):
    """Builds with filters and keyset pagination (newest first), fast at any depth."""

    required_permission = "builds.view"
    template_name = "builds/build_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        params = self.request.GET
        queryset, filters = filtered_builds(params)

        cursor = _cursor(params.get("after"))
        if cursor is not None:
            created, pk = cursor
            queryset = queryset.filter(created_at__lte=created).exclude(
                created_at=created, id__gte=pk
            )
        rows = list(
            queryset.select_related("app", "fusion_set").order_by("-created_at", "-id")[
                : PAGE_SIZE + 1
            ]
        )
        context["builds"] = rows[:PAGE_SIZE]
        if len(rows) > PAGE_SIZE:
            last = rows[PAGE_SIZE - 1]
            query = params.copy()
            query["after"] = f"{last.created_at.isoformat()}|{last.pk}"
            context["next_query"] = query.urlencode()
        context["filters"] = filters
        context["statuses"] = Build.STATUSES
        context["fusion_sets"] = FusionSet.objects.only("id", "name").order_by("name")[:200]
        context["apps"] = _apps_to_choose(filters.get("app"))
        return context


APP_CHOICES = 200


def _apps_to_choose(chosen: str | None) -> list[App]:
    """The most recent apps for the filter, plus the chosen one if it is older."""
    fields = ("id", "package", "file_name", "version_name")
    apps = list(App.objects.only(*fields).order_by("-uploaded_at")[:APP_CHOICES])
    if chosen and all(str(app.pk) != chosen for app in apps):
        apps += list(App.objects.only(*fields).filter(pk=chosen))
    return apps


def filtered_builds(params):
    """The organization's builds narrowed by status, app, Fusion Set, requester and date."""
    queryset = Build.objects.all()
    filters = {}
    if params.get("status") in dict(Build.STATUSES):
        filters["status"] = params["status"]
        queryset = queryset.filter(status=params["status"])
    for key, field in (("app", "app_id"), ("fusion_set", "fusion_set_id")):
        if _is_uuid(params.get(key)):
            filters[key] = params[key]
            queryset = queryset.filter(**{field: params[key]})
    who = (params.get("who") or "").strip()
    if who:
        filters["who"] = who
        queryset = queryset.filter(requested_by_label=who)
    for key, lookup, offset in (("since", "created_at__gte", 0), ("until", "created_at__lt", 1)):
        day = parse_date(params.get(key) or "")
        if day is not None:
            filters[key] = day.isoformat()
            queryset = queryset.filter(**{lookup: start_of_day(day + timedelta(days=offset))})
    return queryset, filters


def _cursor(value: str | None) -> tuple[datetime, str] | None:
    if not value or "|" not in value:
        return None
    stamp, pk = value.split("|", 1)
    created = parse_datetime(stamp.replace(" ", "+"))
    if created is None or not _is_uuid(pk):
        return None
    return created, pk


class BuildDetailView(TenantViewMixin, DetailView):
    """One build: live progress, its messages, downloads by role, cancel and retry."""

    model = Build
    required_permission = "builds.view"
    template_name = "builds/build_detail.html"
    context_object_name = "build"

    def get_queryset(self):
        return Build.objects.select_related("app", "fusion_set", "parent")

    def get_template_names(self):
        if self.kwargs.get("partial"):
            return ["builds/_progress.html"]
        return [self.template_name]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["log"] = self.object.messages.all()[:1000]
        context["can_download"] = roles.has_permission(self.request.role, "builds.download")
        context["can_run"] = roles.has_permission(self.request.role, "builds.run")
        return context


class BuildChangeView(TenantViewMixin, View):
    """Cancel or retry a build (POST)."""

    required_permission = "builds.run"
    change = None

    def post(self, request, pk):
        build = get_object_or_404(Build.objects.all(), pk=pk)
        change = services.cancel_build if self.change == "cancel" else services.retry_build
        try:
            change(build, actor=request.user, request=request)
        except services.BuildStateError as error:
            messages.error(request, error.message)
        return redirect("build-detail", pk=build.pk)


class BuildDownloadView(TenantViewMixin, View):
    """Download the fused app or the auto-dev script (DevOps only; auditors see, not take)."""

    required_permission = "builds.download"
    kind = downloads.OUTPUT

    def get(self, request, pk):
        build = get_object_or_404(Build.objects.select_related("app"), pk=pk)
        return downloads.output_response(build, self.kind, actor=request.user, request=request)


class WebhookListView(TenantViewMixin, ListView):
    """Webhooks of the organization and their latest deliveries; owners add and remove."""

    model = Webhook
    required_permission = "organization.manage"
    template_name = "builds/webhooks.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["deliveries"] = WebhookDelivery.objects.select_related("webhook").order_by(
            "-created_at"
        )[:50]
        return context

    def post(self, request):
        url = (request.POST.get("url") or "").strip()
        try:
            created = create_webhook(url, actor=request.user, request=request)
        except RejectedInput as error:
            messages.error(request, f"Not added: {error.message}.")
            return redirect("webhook-list")
        messages.success(
            request, f"Webhook added. Its signing secret, shown this once: {created.secret}"
        )
        if created.warning:
            messages.warning(request, f"Note: {created.warning}.")
        return redirect("webhook-list")


class WebhookDeleteView(TenantViewMixin, View):
    required_permission = "organization.manage"

    def post(self, request, pk):
        webhook = get_object_or_404(Webhook.objects.all(), pk=pk)
        delete_webhook(webhook, actor=request.user, request=request)
        return redirect("webhook-list")


class WebhookRedeliverView(TenantViewMixin, View):
    """Send one delivery's payload again (a new delivery appears at the top of the list)."""

    required_permission = "organization.manage"

    def post(self, request, pk):
        delivery = get_object_or_404(WebhookDelivery.objects.select_related("webhook"), pk=pk)
        redeliver(delivery, actor=request.user, request=request)
        messages.success(request, f"Sending {delivery.event} to {delivery.webhook.url} again.")
        return redirect("webhook-list")
