"""DRF authentication, role permission and throttling, importable from settings.

They live apart from ``console.api`` because DRF imports its settings' classes while its own
views module is still loading; ``console.api`` re-exports them.
"""

import logging

from rest_framework import exceptions, permissions, throttling
from rest_framework.authentication import BaseAuthentication, SessionAuthentication
from rest_framework.settings import api_settings

from console import ratelimit, roles
from console.middleware import TokenPrincipal

logger = logging.getLogger(__name__)


class TokenAuthentication(BaseAuthentication):
    """``Authorization: Token <key>`` or the bare key; the middleware already looked it up."""

    keyword = "Token"

    def authenticate(self, request):
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if not header:
            return None

        token = getattr(request._request, "api_token", None)
        if token is None:
            raise exceptions.AuthenticationFailed(
                "The API token is unknown, revoked or expired; create a new one under Tokens.",
                code="invalid_token",
            )
        return TokenPrincipal(token), token

    def authenticate_header(self, request):
        return self.keyword


class ConsoleSessionAuthentication(SessionAuthentication):
    """Session login for API calls from the console's own pages (CSRF enforced)."""


class HasRolePermission(permissions.BasePermission):
    """Grants an action only when the view names its permission and the caller's role holds it.

    An action missing from ``required_permissions`` is refused (deny by default).
    """

    message = "Your role in this organization does not allow this."

    def has_permission(self, request, view):
        if getattr(request._request, "organization", None) is None:
            raise exceptions.NotAuthenticated(
                "Send a DEV-API token in the Authorization header.", code="not_authenticated"
            )

        permission_for_action = getattr(view, "permission_for_action", None)
        permission = permission_for_action() if permission_for_action else None
        if permission is None:
            return False
        return roles.has_permission(request._request.role, permission)


def request_actor(request):
    """The ApiToken or the user behind a request, as ``record_event`` expects ``actor``."""
    token = getattr(request, "api_token", None) or getattr(
        getattr(request, "_request", None), "api_token", None
    )
    return token if token is not None else request.user


class OrganizationRateThrottle(throttling.BaseThrottle):
    """Shares one request budget per organization, whichever token or person spends it.

    The budget (``DEFAULT_THROTTLE_RATES["organization"]``, from ``FUSEBOX_API_RATE``) is
    counted per window in the shared cache, so every web process spends the same one.
    """

    scope = "organization"
    THROTTLE_RATES = api_settings.DEFAULT_THROTTLE_RATES

    def allow_request(self, request, view):
        organization = getattr(request._request, "organization", None)
        rate = self.THROTTLE_RATES.get(self.scope)
        if organization is None or not rate:
            return True

        allowed, self.seconds = ratelimit.parse_rate(rate)
        used = ratelimit.hit(f"{self.scope}:{organization.pk}", self.seconds)
        if used > allowed:
            logger.info(
                "api: organization %s is over its budget of %s requests per %s s",
                organization.pk, allowed, self.seconds,
            )  # fmt: skip
            return False
        return True

    def wait(self):
        return ratelimit.seconds_left(self.seconds)
