"""Console pages of reports (auditors) and the public verification page.

The verification page needs no login and is rate-limited per address; it says only what the
report itself states. The Reports view lists the organization's reports with filters and
downloads; downloading a report never needs, nor grants, access to the app.
"""

import logging

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views import View
from django.views.generic import DetailView, ListView

from certified import authority, services, throttling
from certified.api import read_submission
from certified.models import CertifiedReport
from certified.verify import verify_json, verify_pdf
from console.audit import record_event
from console.mixins import TenantViewMixin

logger = logging.getLogger(__name__)

VIEW = "reports.view"


class VerifyPageView(View):
    """Drop a PDF, a JSON (+ .jws) or an app, or paste a SHA-256."""

    template_name = "certified/verify.html"

    def get(self, request):
        return render(request, self.template_name, {})

    def post(self, request):
        if throttling.over_limit(request):
            response = render(
                request,
                self.template_name,
                {"error": "Too many verifications from your address: wait a minute."},
                status=429,
            )
            response["Retry-After"] = str(throttling.retry_after())
            return response
        try:
            submission = read_submission(request)
        except services.SubmissionError as error:
            status = 413 if error.code == "too_large" else 400
            return render(request, self.template_name, {"error": error.message}, status=status)
        answer = services.verify_submission(submission)
        return render(request, self.template_name, {"answer": answer.to_dict()})


class VerifyReportView(View):
    """The page a report's QR code opens: the stored report checked again, public facts."""

    def get(self, request, report_id):
        if throttling.over_limit(request):
            return HttpResponse("Too many verifications: wait a minute.", status=429)
        report = services.find_report(report_id=report_id)
        if report is None:
            raise Http404("no such report")
        answer = services.verify_submission(services.Submission(data=services.read_pdf(report)))
        return render(request, "certified/verify.html", {"answer": answer.to_dict()})


def ca_certificate(request):
    """The report-signing CA certificate auditors trust to verify reports offline."""
    pem = authority.ca_certificate_pem(create=False)
    if pem is None:
        raise Http404("no report has been issued yet, so there is no report-signing CA")
    response = HttpResponse(pem, content_type="application/x-pem-file")
    response["Content-Disposition"] = 'attachment; filename="fusebox-report-ca.pem"'
    return response


class ReportListView(TenantViewMixin, ListView):
    """Reports of the organization, newest first, filtered by text, verdict and dates."""

    model = CertifiedReport
    required_permission = VIEW
    template_name = "certified/report_list.html"
    context_object_name = "reports"
    paginate_by = 50

    def get_queryset(self):
        queryset = super().get_queryset().select_related("build")
        given = self.request.GET
        text = given.get("q", "").strip()
        if text:
            queryset = (
                queryset.filter(package__icontains=text)
                | queryset.filter(report_id__iexact=text)
                | queryset.filter(app_name__icontains=text)
                | queryset.filter(output_sha256__iexact=text.lower())
            )
        if given.get("verdict") in ("passed", "failed"):
            queryset = queryset.filter(passed=given["verdict"] == "passed")
        if given.get("since"):
            queryset = queryset.filter(issued_at__date__gte=given["since"])
        if given.get("until"):
            queryset = queryset.filter(issued_at__date__lte=given["until"])
        return queryset

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["filters"] = {key: self.request.GET.get(key, "") for key in
                              ("q", "verdict", "since", "until")}  # fmt: skip
        return context


class ReportDetailView(TenantViewMixin, DetailView):
    """A report's facts and the verification of both stored files, as an auditor sees it."""

    model = CertifiedReport
    required_permission = VIEW
    template_name = "certified/report_detail.html"
    context_object_name = "report"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        ca = authority.ca_certificate_pem(create=False)
        if ca is None:
            # Only reachable for rows written without issuing (no authority exists yet).
            context["pdf_check"] = context["json_check"] = {"reason": "no report CA yet"}
            return context
        pdf = verify_pdf(services.read_pdf(self.object), ca)
        json_result = verify_json(services.read_json(self.object), self.object.jws, ca)
        context["pdf_check"] = pdf.to_dict()
        context["json_check"] = json_result.to_dict()
        context["facts"] = pdf.report or json_result.report
        return context


class ReportDownloadView(TenantViewMixin, View):
    """The stored PDF, JSON or JWS of a report, exactly as signed."""

    required_permission = VIEW
    kind = "pdf"
    CONTENT = {
        "pdf": ("application/pdf", "pdf"),
        "json": ("application/json", "json"),
        "jws": ("application/jose", "json.jws"),
    }

    def get(self, request, pk):
        report = CertifiedReport.objects.filter(pk=pk).first()
        if report is None:
            raise Http404("no such report")
        content_type, extension = self.CONTENT[self.kind]
        if self.kind == "pdf":
            data = services.read_pdf(report)
        elif self.kind == "json":
            data = services.read_json(report)
        else:
            data = report.jws.encode()
        record_event(
            request.organization,
            "report.downloaded",
            request=request,
            target=report.build,
            changes={"report_id": report.report_id, "file": self.kind},
        )
        response = HttpResponse(data, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="{report.report_id}.{extension}"'
        return response
