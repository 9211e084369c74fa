"""The DEV-API of builds, in the shape CI users know: upload, tasks, status, output.

``POST /upload`` and ``POST /apps/check-by-checksum`` bring the app in; ``POST /tasks``
with ``action=fuse`` starts a build, and ``sign`` / ``seal`` / ``sign_script`` with a
``parent_task_id`` build the parent's app again with another signing choice; the status
endpoint returns messages newer than ``lastDate`` so a poller reads each line once.
"""

import uuid
from datetime import UTC, datetime

from django.http import Http404
from django.utils.dateparse import parse_datetime
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework.viewsets import GenericViewSet

from builds import downloads, serializers, services, uploads
from builds.models import App, Build, BuildMessage, Webhook
from builds.webhooks import create_webhook, delete_webhook, redeliver
from console.api import TenantViewSetMixin, request_actor
from fusionsets.models import FusionSet
from workers.engine.errors import RejectedInput


def _timestamp(at: datetime) -> str:
    """DRF's datetime format (ISO 8601, UTC written as Z), for rows read without a serializer."""
    text = at.astimezone(UTC).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


REFUSED = OpenApiResponse(
    serializers.BuildErrorSerializer,
    description="Refused with a stable code and a message saying what to fix.",
)
VIEW, RUN, UPLOAD, DOWNLOAD = "builds.view", "builds.run", "apps.upload", "builds.download"


class UUIDLookupMixin:
    """Any path segment reaches the view, so a malformed id is a JSON 404 like a missing one."""

    lookup_value_regex = "[^/]+"

    def get_object(self):
        try:
            uuid.UUID(str(self.kwargs[self.lookup_field]))
        except ValueError:
            raise Http404("no such object") from None
        return super().get_object()


def _error(code: str, detail: str, http_status: int) -> Response:
    return Response({"code": code, "detail": detail}, status=http_status)


class UploadView(TenantViewSetMixin, APIView):
    """Upload an APK (multipart ``file``); the gate runs before anything is kept."""

    parser_classes = [MultiPartParser, FormParser]
    required_permissions = {"upload": UPLOAD}
    action = "upload"

    @extend_schema(
        request={"multipart/form-data": serializers.UploadSerializer},
        responses={
            201: serializers.UploadResultSerializer,
            200: serializers.UploadResultSerializer,
            413: REFUSED,
            422: REFUSED,
        },
        summary="Upload an app (an existing app with the same SHA-256 is returned instead)",
    )
    def post(self, request):
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
        if declared > uploads.max_upload_bytes() + 64 * 1024:
            error = uploads.too_large(declared)
            return _error(error.code, error.message, status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)

        uploaded = request.FILES.get("file")
        if uploaded is None:
            return _error("file_missing", "send the app as multipart form field 'file'", 400)
        try:
            result = uploads.accept_upload(uploaded, actor=request_actor(request), request=request)
        except uploads.UploadTooLarge as error:
            return _error(error.code, error.message, status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)

        data = serializers.AppSerializer(result.app).data
        data["duplicate"] = not result.created
        return Response(data, status=201 if result.created else 200)


class AppViewSet(
    UUIDLookupMixin,
    TenantViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    GenericViewSet,
):
    """Uploaded apps of the token's organization."""

    queryset = App.objects.all()
    serializer_class = serializers.AppSerializer
    required_permissions = {"list": VIEW, "retrieve": VIEW, "check_by_checksum": UPLOAD}

    @extend_schema(
        request=serializers.ChecksumSerializer,
        responses={200: serializers.ChecksumResultSerializer},
        summary="Is a file with this SHA-256 uploaded already? (avoid sending it twice)",
    )
    @action(detail=False, methods=["post"], url_path="check-by-checksum")
    def check_by_checksum(self, request):
        given = serializers.ChecksumSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        app = uploads.find_by_checksum(given.validated_data["sha256"])
        return Response({"exists": app is not None, "app_id": app.pk if app else None})


SIGNING_ACTIONS = {"sign": "fusebox", "seal": "private", "sign_script": "auto_dev"}


LIST_FILTERS = {
    "app_id": "app_id",
    "fusion_set_id": "fusion_set_id",
    "parent_task_id": "parent_id",
}


def list_filters(params) -> dict:
    """The task list's query filters as field lookups; ``ValueError`` says which is wrong."""
    lookups = {}
    wanted = params.get("status")
    if wanted is not None:
        statuses = [value for value, _label in Build.STATUSES]
        if wanted not in statuses:
            raise ValueError(f"status must be one of {', '.join(statuses)}")
        lookups["status"] = wanted
    for name, field in LIST_FILTERS.items():
        value = params.get(name)
        if value is None:
            continue
        try:
            lookups[field] = uuid.UUID(value)
        except ValueError:
            raise ValueError(f"{name} must be an id (a UUID), not {value[:40]!r}") from None
    return lookups


class TaskViewSet(
    UUIDLookupMixin,
    TenantViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    GenericViewSet,
):
    """Builds ("tasks"): start, follow, download, cancel and retry."""

    queryset = Build.objects.select_related("app")
    serializer_class = serializers.BuildSerializer
    required_permissions = {
        "list": VIEW,
        "retrieve": VIEW,
        "create": RUN,
        "status": VIEW,
        "output": DOWNLOAD,
        "cancel": RUN,
        "retry": RUN,
    }

    def get_queryset(self):
        if self.action == "status":
            # Polled every few seconds by CI: one narrow row, no joins.
            return Build.objects.only(
                "id", "organization_id", "status", "reason_code", "reason_message"
            )
        queryset = super().get_queryset()
        if self.action == "list":
            queryset = queryset.filter(**self._list_filters)
        return queryset

    @extend_schema(
        parameters=[
            OpenApiParameter("status", OpenApiTypes.STR, enum=[s for s, _ in Build.STATUSES]),
            OpenApiParameter("app_id", OpenApiTypes.UUID),
            OpenApiParameter("fusion_set_id", OpenApiTypes.UUID),
            OpenApiParameter("parent_task_id", OpenApiTypes.UUID),
        ],
        responses={200: serializers.BuildSerializer(many=True), 400: REFUSED},
        summary="Builds of the organization, newest first, narrowed by the given filters",
    )
    def list(self, request, *args, **kwargs):
        try:
            self._list_filters = list_filters(request.query_params)
        except ValueError as error:
            return _error("invalid_filter", str(error), status.HTTP_400_BAD_REQUEST)
        return super().list(request, *args, **kwargs)

    @extend_schema(
        request=serializers.TaskCreateSerializer,
        responses={201: serializers.BuildSerializer, 404: REFUSED, 422: REFUSED},
        summary="Start a build: fuse, or sign / seal / sign_script a parent build's app",
    )
    def create(self, request):
        given = serializers.TaskCreateSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        overrides = dict(data.get("overrides") or {})
        parent = None
        if data["action"] == "fuse":
            app = self._owned(App, data["app_id"], "app_not_found", "app_id")
            fusion_set = self._owned(
                FusionSet, data["fusion_set_id"], "fusionset_not_found", "fusion_set_id"
            )
        else:
            parent = self._owned(Build, data["parent_task_id"], "task_not_found", "parent_task_id")
            app, fusion_set = parent.app, parent.fusion_set
            overrides = {**parent.overrides, **overrides}
            signing = {"method": SIGNING_ACTIONS[data["action"]]}
            if data["action"] == "sign" and data.get("keystore_id"):
                signing["keystore_id"] = str(data["keystore_id"])
            if data["action"] == "seal":
                fingerprint = services.plain_fingerprint(data.get("signing_fingerprint", ""))
                signing["fingerprints"] = [fingerprint]
            overrides["signing"] = signing

        build = services.start_build(
            app,
            fusion_set,
            overrides=overrides,
            signing_fingerprint=data.get("signing_fingerprint", ""),
            parent=parent,
            actor=request_actor(request),
            request=request,
        )
        return Response(self.get_serializer(build).data, status=status.HTTP_201_CREATED)

    @staticmethod
    def _owned(model, pk, code: str, field: str):
        found = model.objects.filter(pk=pk).first()
        if found is None:
            raise RejectedInput(f"{field}: no such {model._meta.verbose_name} here", code=code)
        return found

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "lastDate",
                OpenApiTypes.DATETIME,
                description="Only messages after this time (the previous answer's lastDate).",
            )
        ],
        responses={200: serializers.StatusSerializer},
        summary="A build's status and its log lines since lastDate",
    )
    @action(detail=True, methods=["get"])
    def status(self, request, pk=None):
        build = self.get_object()
        messages = BuildMessage.objects.filter(build_id=build.pk)
        since = parse_datetime(request.query_params.get("lastDate") or "")
        if since is not None:
            messages = messages.filter(at__gt=since)
        # Polled every few seconds by every CI job: plain rows, no serializer per line.
        lines = [
            {"at": _timestamp(at), "step": step, "level": level, "text": text}
            for at, step, level, text in messages.values_list("at", "step", "level", "text")[:500]
        ]
        last = lines[-1]["at"] if lines else request.query_params.get("lastDate") or None
        return Response(
            {
                "task_id": build.pk,
                "status": build.status,
                "progress": build.progress_percent,
                "reason_code": build.reason_code,
                "reason_message": build.reason_message,
                "messages": lines,
                "lastDate": last if since is not None or lines else None,
            }
        )

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "action",
                OpenApiTypes.STR,
                enum=["sign_script"],
                description="sign_script: the auto-dev signing script instead of the app.",
            )
        ],
        responses={
            (200, downloads.APK_TYPE): OpenApiTypes.BINARY,
            (200, downloads.SCRIPT_TYPE): OpenApiTypes.BINARY,
            400: REFUSED,
            404: REFUSED,
        },
        summary="Download the fused app (or the auto-dev signing script)",
    )
    @action(detail=True, methods=["get"])
    def output(self, request, pk=None):
        build = self.get_object()
        asked = request.query_params.get("action", "")
        if asked not in ("", downloads.SIGN_SCRIPT):
            return _error(
                "invalid_action",
                "action must be 'sign_script' for the auto-dev signing script, "
                "or left out for the app",
                status.HTTP_400_BAD_REQUEST,
            )
        kind = downloads.SIGN_SCRIPT if asked else downloads.OUTPUT
        return downloads.output_response(
            build, kind, actor=request_actor(request), request=request
        )

    def perform_content_negotiation(self, request, force=False):
        # A download is the file whatever the client accepts (CI scripts often send
        # `Accept: application/octet-stream`); its errors are JSON.
        if self.action == "output":
            renderer = JSONRenderer()
            return renderer, renderer.media_type
        return super().perform_content_negotiation(request, force)

    @extend_schema(request=None, responses={200: serializers.BuildSerializer, 409: REFUSED})
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        return self._change(services.cancel_build)

    @extend_schema(request=None, responses={200: serializers.BuildSerializer, 409: REFUSED})
    @action(detail=True, methods=["post"])
    def retry(self, request, pk=None):
        return self._change(services.retry_build)

    def _change(self, change):
        build = self.get_object()
        try:
            build = change(build, actor=request_actor(self.request), request=self.request)
        except services.BuildStateError as error:
            return _error(error.code, error.message, status.HTTP_409_CONFLICT)
        return Response(self.get_serializer(build).data)


class WebhookViewSet(
    UUIDLookupMixin,
    TenantViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    GenericViewSet,
):
    """URLs told of every build's end; the secret is shown once, at creation."""

    queryset = Webhook.objects.all()
    serializer_class = serializers.WebhookSerializer
    MANAGE = "organization.manage"
    required_permissions = {
        "list": MANAGE,
        "retrieve": MANAGE,
        "create": MANAGE,
        "destroy": MANAGE,
        "deliveries": MANAGE,
        "redeliver": MANAGE,
    }

    @extend_schema(
        request=serializers.WebhookSerializer,
        responses={201: serializers.WebhookCreatedSerializer, 422: REFUSED},
        summary="Register a URL told of every build's end (public addresses only)",
    )
    def create(self, request):
        given = serializers.WebhookSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        created = create_webhook(
            given.validated_data["url"], actor=request_actor(request), request=request
        )
        data = serializers.WebhookSerializer(created.webhook).data
        return Response(
            {**data, "secret": created.secret, "warning": created.warning},
            status=status.HTTP_201_CREATED,
        )

    def perform_destroy(self, instance):
        delete_webhook(instance, actor=request_actor(self.request), request=self.request)

    @extend_schema(
        responses={200: serializers.DeliverySerializer(many=True)},
        summary="Deliveries of this webhook, newest first, a page at a time",
    )
    @action(detail=True, methods=["get"])
    def deliveries(self, request, pk=None):
        webhook = self.get_object()
        page = self.paginate_queryset(webhook.deliveries.order_by("-created_at", "-pk"))
        return self.get_paginated_response(serializers.DeliverySerializer(page, many=True).data)

    @extend_schema(
        request=None,
        responses={202: serializers.DeliverySerializer, 404: REFUSED},
        summary="Send one of this webhook's deliveries again, as a new delivery",
    )
    @action(
        detail=True,
        methods=["post"],
        url_path=r"deliveries/(?P<delivery>[^/]+)/redeliver",
        url_name="redeliver",
    )
    def redeliver(self, request, pk=None, delivery=None):
        webhook = self.get_object()
        try:
            sent = webhook.deliveries.filter(pk=uuid.UUID(delivery)).first()
        except ValueError:
            sent = None
        if sent is None:
            return _error(
                "delivery_not_found",
                "no delivery with this id for this webhook",
                status.HTTP_404_NOT_FOUND,
            )
        again = redeliver(sent, actor=request_actor(request), request=request)
        return Response(
            serializers.DeliverySerializer(again).data, status=status.HTTP_202_ACCEPTED
        )
