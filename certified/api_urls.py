"""DEV-API routes of Certified Secure reports (mounted under /api/v1/ by console.urls)."""

from django.urls import path, re_path

from certified import api

urlpatterns = [
    re_path(
        r"^tasks/(?P<pk>[^/]+)/certificate/?$",
        api.TaskCertificateView.as_view(),
        name="api-task-certificate",
    ),
    re_path(
        r"^tasks/(?P<pk>[^/]+)/certificate-json/?$",
        api.TaskCertificateJsonView.as_view(),
        name="api-task-certificate-json",
    ),
    path("verify", api.VerifyView.as_view(), name="api-verify"),
]
