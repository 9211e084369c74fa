"""DEV-API of Certified Secure reports: a task's report files and public verification.

``GET /api/v1/tasks/{id}/certificate`` answers the signed PDF, ``/certificate-json`` the
signed JSON with its detached JWS in the ``X-Fusebox-Report-JWS`` header (or the JWS alone
with ``?format=jws``). ``POST /api/v1/verify`` is public and rate-limited per address.
"""

import logging
import uuid

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers as drf
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from builds.models import Build
from certified import conf, services, throttling
from certified.models import CertifiedReport
from console.api import TenantViewSetMixin, request_actor
from console.audit import record_event

logger = logging.getLogger(__name__)

JWS_HEADER = "X-Fusebox-Report-JWS"
VIEW = "reports.view"


class ErrorSerializer(drf.Serializer):
    code = drf.CharField()
    detail = drf.CharField()


class VerifyRequestSerializer(drf.Serializer):
    file = drf.FileField(required=False, help_text="A report PDF, a report JSON or an APK.")
    signature = drf.CharField(required=False, help_text="The .jws of a JSON report.")
    sha256 = drf.CharField(required=False, help_text="A SHA-256 to look up instead of a file.")


class VerifyResultSerializer(drf.Serializer):
    valid = drf.BooleanField()
    kind = drf.CharField()
    reason_code = drf.CharField(allow_null=True)
    reason = drf.CharField()
    issued_by_this_fusebox = drf.BooleanField()
    report = drf.DictField(allow_null=True)


REFUSED = OpenApiResponse(ErrorSerializer, description="Refused with a stable code.")


def _error(code: str, detail: str, status: int) -> Response:
    return Response({"code": code, "detail": detail}, status=status)


class _TaskReportView(TenantViewSetMixin, APIView):
    """Shared look-up: the task in the caller's organization and its report, else 404."""

    required_permissions = {"certificate": VIEW}
    action = "certificate"

    def perform_content_negotiation(self, request, force=False):
        # ``?format=jws`` selects a file, not one of DRF's renderers: errors stay JSON.
        renderer = JSONRenderer()
        return renderer, renderer.media_type

    def _report(self, pk: str) -> CertifiedReport | Response:
        try:
            uuid.UUID(str(pk))
        except ValueError:
            return _error("task_not_found", "no such task here", 404)
        build = Build.objects.filter(pk=pk).first()
        if build is None:
            return _error("task_not_found", "no such task here", 404)
        report = CertifiedReport.objects.filter(build_id=build.pk).first()
        if report is None:
            return _error(
                "report_not_ready",
                f"task {build.pk} has no Certified Secure report (status {build.status}); "
                "a report exists once the build succeeded",
                404,
            )
        record_event(
            self.request.organization,
            "report.downloaded",
            actor=request_actor(self.request),
            request=self.request,
            target=build,
            changes={"report_id": report.report_id},
        )
        return report


class TaskCertificateView(_TaskReportView):
    @extend_schema(
        responses={(200, "application/pdf"): OpenApiTypes.BINARY, 404: REFUSED},
        summary="Download a task's signed Certified Secure report (PDF)",
    )
    def get(self, request, pk):
        report = self._report(pk)
        if isinstance(report, Response):
            return report
        response = HttpResponse(services.read_pdf(report), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{report.report_id}.pdf"'
        response["X-Fusebox-Report-Id"] = report.report_id
        return response


class TaskCertificateJsonView(_TaskReportView):
    @extend_schema(
        parameters=[
            OpenApiParameter(
                "format",
                OpenApiTypes.STR,
                enum=["jws"],
                description="jws: the detached JWS of the JSON instead of the JSON.",
            )
        ],
        responses={
            (200, "application/json"): OpenApiTypes.OBJECT,
            (200, "application/jose"): OpenApiTypes.STR,
            400: REFUSED,
            404: REFUSED,
        },
        summary="Download a task's signed report JSON (JWS in the X-Fusebox-Report-JWS header)",
    )
    def get(self, request, pk):
        wanted = request.query_params.get("format", "")
        if wanted not in ("", "jws"):
            return _error(
                "invalid_format",
                "format must be 'jws' for the detached signature, or left out for the JSON",
                400,
            )
        report = self._report(pk)
        if isinstance(report, Response):
            return report
        if wanted == "jws":
            response = HttpResponse(report.jws, content_type="application/jose")
            response["Content-Disposition"] = f'attachment; filename="{report.report_id}.json.jws"'
            return response
        response = HttpResponse(services.read_json(report), content_type="application/json")
        response["Content-Disposition"] = f'attachment; filename="{report.report_id}.json"'
        response[JWS_HEADER] = report.jws
        response["X-Fusebox-Report-Id"] = report.report_id
        return response


def read_submission(request) -> services.Submission:
    """What a form or API request asks to verify; raises ``SubmissionError``."""
    fields = getattr(request, "data", None) or request.POST
    if not hasattr(fields, "get"):
        raise services.SubmissionError(
            "send a form or a JSON object with 'file', 'signature' or 'sha256'",
            code="invalid_body",
        )
    uploaded = request.FILES.get("file")
    signature = request.FILES.get("signature")
    signature_text = signature.read(64 * 1024).decode("ascii", "replace") if signature else ""
    signature_text = (signature_text or str(fields.get("signature") or "")).strip()
    sha256 = str(fields.get("sha256") or "").strip()
    if uploaded is None:
        if not sha256:
            raise services.SubmissionError(
                "send a report PDF, a report JSON (with its JWS) or an app as the form field "
                "'file', or a SHA-256 as 'sha256'",
                code="missing_input",
            )
        return services.Submission(sha256=sha256)
    if uploaded.size > conf.max_verify_bytes():
        raise services.SubmissionError(
            f"the file is larger than {conf.max_verify_bytes()} bytes", code="too_large"
        )
    return services.read_upload(uploaded, signature_text)


class VerifyView(APIView):
    """Public: is this report or app one this Fusebox certified, intact and whole?"""

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = []
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema(
        request={
            "multipart/form-data": VerifyRequestSerializer,
            "application/json": VerifyRequestSerializer,
        },
        responses={200: VerifyResultSerializer, 400: REFUSED, 413: REFUSED, 429: REFUSED},
        summary="Verify a report PDF, a report JSON with its JWS, an app or a SHA-256",
    )
    def post(self, request):
        if throttling.over_limit(request):
            response = _error("rate_limited", "too many verifications: wait and try again", 429)
            response["Retry-After"] = str(throttling.retry_after())
            return response
        try:
            submission = read_submission(request)
        except services.SubmissionError as error:
            return _error(error.code, error.message, 413 if error.code == "too_large" else 400)
        return Response(services.verify_submission(submission).to_dict())
