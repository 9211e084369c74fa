"""The console's own entries in the isolation matrix."""

from console.models import ApiToken, AuditEvent, Invitation
from console.tokens import create_token
from tests.console.factories import MembershipFactory, UserFactory
from tests.console.route_sweep import Route, register


def membership(organization):
    return MembershipFactory(
        organization=organization,
        user=UserFactory(username=f"marker-member-{organization.slug}"),
        role="devops",
    )


def invitation(organization):
    from datetime import timedelta

    from django.utils import timezone

    from console.models import hash_secret
    from console.tenancy import unscoped_access

    with unscoped_access():
        return Invitation.objects.create(
            organization=organization,
            email=f"marker-invitee@{organization.slug}.test",
            role="auditor",
            key_hash=hash_secret(Invitation.new_key()),
            expires_at=timezone.now() + timedelta(days=1),
        )


def api_token(organization) -> ApiToken:
    name = f"marker-token-{organization.slug}"
    token, _key = create_token(organization, name=name, role="devops")
    return token


def audit_event(organization) -> AuditEvent:
    from console.audit import record_event

    target = f"marker-event-{organization.slug}"
    return record_event(organization, "marker.recorded", target=target)


def _username(obj):
    return obj.user.username


PUBLIC = "reachable signed out by design"

for route in [
    Route("login", "public", reason=PUBLIC),
    Route("healthz", "public", reason="liveness check for the load balancer, no tenant data"),
    Route("logout", "public", methods=("post",), reason=PUBLIC),
    Route(
        "invitation-accept",
        "public",
        kwargs=lambda _nothing: {"key": "not-a-real-key"},
        reason="keyed by an unguessable invitation secret",
    ),
    Route("api-schema", "public", reason="describes the API, holds no tenant data"),
    Route("api-docs", "public", reason="describes the API, holds no tenant data"),
    Route("dashboard", "list", factory=audit_event, marker=lambda e: e.target_label),
    Route("password-change", "page"),
    Route("organization-switch", "page", methods=()),
    Route("no-organization", "page"),
    Route("worker-status", "page"),
    Route("members", "list", factory=membership, marker=_username),
    Route("member-invite", "page", methods=()),
    Route("member-role", "object", methods=("post",), factory=membership),
    Route("member-remove", "object", methods=("post",), factory=membership),
    Route("invitation-revoke", "object", methods=("post",), factory=invitation),
    Route("tokens", "list", factory=api_token, marker=lambda t: t.name),
    Route("token-revoke", "object", methods=("post",), factory=api_token),
    Route("organization-settings", "page"),
    Route("audit", "list", factory=audit_event, marker=lambda e: e.target_label),
    Route("api-organization", "page"),
    Route("api-member-list", "list", factory=membership, marker=_username),
    Route("api-member-detail", "object", methods=("get", "patch", "delete"), factory=membership),
    Route("api-invitation-list", "list", factory=invitation, marker=lambda i: i.email),
    Route("api-invitation-detail", "object", methods=("get", "delete"), factory=invitation),
    Route("api-token-list", "list", factory=api_token, marker=lambda t: t.name),
    Route("api-token-detail", "object", methods=("get", "delete"), factory=api_token),
    Route(
        "api-audit-event-list",
        "list",
        factory=audit_event,
        marker=lambda e: e.target_label,
        role="auditor",
    ),
    Route("api-audit-event-detail", "object", factory=audit_event, role="auditor"),
]:
    register(route)
