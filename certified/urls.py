"""Console routes of reports and the public verification page (mounted at the site root)."""

from django.urls import path

from certified import views

urlpatterns = [
    path("verify/", views.VerifyPageView.as_view(), name="verify"),
    path("verify/ca.pem", views.ca_certificate, name="verify-ca"),
    path("verify/<str:report_id>", views.VerifyReportView.as_view(), name="verify-report"),
    path("reports/", views.ReportListView.as_view(), name="report-list"),
    path("reports/<uuid:pk>/", views.ReportDetailView.as_view(), name="report-detail"),
    path(
        "reports/<uuid:pk>/pdf/",
        views.ReportDownloadView.as_view(kind="pdf"),
        name="report-pdf",
    ),
    path(
        "reports/<uuid:pk>/json/",
        views.ReportDownloadView.as_view(kind="json"),
        name="report-json",
    ),
    path(
        "reports/<uuid:pk>/jws/",
        views.ReportDownloadView.as_view(kind="jws"),
        name="report-jws",
    ),
]
