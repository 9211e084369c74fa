"""Top-level URL map: console pages, the DEV-API under /api/v1/ and the schema.

Domain apps are mounted without editing this file: an app's ``urls.py`` (console pages) is
included at the root and its ``api_urls.py`` under ``/api/v1/`` when the module exists.
"""

import importlib.util

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import SimpleRouter

from console import api_views
from console.views import (
    account,
    audit,
    dashboard,
    errors,
    health,
    members,
    organization,
    tokens,
)

DOMAIN_APPS = ["vault", "trust", "fusionsets", "builds", "certified", "workers"]

api_router = SimpleRouter()
api_router.register("members", api_views.MembershipViewSet, basename="api-member")
api_router.register("invitations", api_views.InvitationViewSet, basename="api-invitation")
api_router.register("tokens", api_views.ApiTokenViewSet, basename="api-token")
api_router.register("audit-events", api_views.AuditEventViewSet, basename="api-audit-event")

console_patterns = [
    path("", dashboard.DashboardView.as_view(), name="dashboard"),
    path("login/", account.LoginView.as_view(), name="login"),
    path("logout/", account.LogoutView.as_view(), name="logout"),
    path("account/password/", account.PasswordChangeView.as_view(), name="password-change"),
    path("organizations/switch/", account.switch_organization, name="organization-switch"),
    path("organizations/none/", account.NoOrganizationView.as_view(), name="no-organization"),
    path("worker/status/", dashboard.worker_status, name="worker-status"),
    path("members/", members.MemberListView.as_view(), name="members"),
    path("members/invite/", members.InviteView.as_view(), name="member-invite"),
    path("members/<int:pk>/role/", members.MembershipRoleView.as_view(), name="member-role"),
    path(
        "members/<int:pk>/remove/",
        members.MembershipRemoveView.as_view(),
        name="member-remove",
    ),
    path(
        "invitations/<int:pk>/revoke/",
        members.InvitationRevokeView.as_view(),
        name="invitation-revoke",
    ),
    path(
        "invitations/accept/<str:key>/",
        members.InvitationAcceptView.as_view(),
        name="invitation-accept",
    ),
    path("tokens/", tokens.TokenListView.as_view(), name="tokens"),
    path("tokens/<int:pk>/revoke/", tokens.TokenRevokeView.as_view(), name="token-revoke"),
    path("audit/", audit.AuditTrailView.as_view(), name="audit"),
    path(
        "organization/",
        organization.OrganizationSettingsView.as_view(),
        name="organization-settings",
    ),
]

api_patterns = [
    path(
        "organization/",
        api_views.OrganizationView.as_view({"get": "retrieve"}),
        name="api-organization",
    ),
    *api_router.urls,
]


def _domain_patterns(module_name: str, prefix: str) -> list:
    patterns = []
    for app in DOMAIN_APPS:
        if importlib.util.find_spec(f"{app}.{module_name}") is not None:
            patterns.append(path(prefix, include(f"{app}.{module_name}")))
    return patterns


urlpatterns = [
    path("admin/", admin.site.urls),
    path("healthz/", health.healthz, name="healthz"),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/v1/", include(api_patterns)),
    *_domain_patterns("api_urls", "api/v1/"),
    *console_patterns,
    *_domain_patterns("urls", ""),
]

handler403 = errors.forbidden
handler404 = errors.not_found
handler500 = errors.server_error
