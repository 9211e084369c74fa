"""DRF building blocks every Fusebox API uses: token auth, the tenant viewset, error shape.

An app's API is a ``TenantViewSet`` subclass with ``required_permissions`` per action; the
queryset comes from the model's scoped manager, so another organization's object is a 404
and a list never holds another organization's rows.
"""

import logging

from django.core.exceptions import ImproperlyConfigured
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from rest_framework import exceptions, status, viewsets
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from console.api_auth import (
    ConsoleSessionAuthentication,
    HasRolePermission,
    OrganizationRateThrottle,
    TokenAuthentication,
    request_actor,
)
from console.tenancy import ScopeError, TenantQuerySet, current_organization
from vault.errors import VaultError
from workers.engine.errors import EngineError

logger = logging.getLogger(__name__)

__all__ = [
    "ConsoleSessionAuthentication",
    "HasRolePermission",
    "OrganizationRateThrottle",
    "TenantReadOnlyViewSet",
    "TenantViewSet",
    "TenantViewSetMixin",
    "TokenAuthentication",
    "exception_handler",
    "request_actor",
]


class TenantViewSetMixin:
    """Scoped queryset, role check per action and organization fill-in on create."""

    authentication_classes = [TokenAuthentication, ConsoleSessionAuthentication]
    permission_classes = [HasRolePermission]
    throttle_classes = [OrganizationRateThrottle]
    required_permissions: dict[str, str] = {}

    def permission_for_action(self) -> str | None:
        action = getattr(self, "action", None)
        if action is None and self.request.method == "OPTIONS":
            action = "metadata"
        return self.required_permissions.get(action)

    def get_queryset(self):
        if current_organization() is None:
            raise ScopeError(f"{type(self).__name__} ran without an organization scope")
        if self.queryset is None:
            raise ImproperlyConfigured(
                f"{type(self).__name__} needs queryset = Model.objects.all() (the scoped manager)"
            )
        if not isinstance(self.queryset, TenantQuerySet):
            raise ImproperlyConfigured(
                f"{type(self).__name__}.queryset must come from a TenantModel's scoped manager"
            )
        return self.queryset.all()

    def perform_create(self, serializer):
        serializer.save(organization=current_organization())


class TenantViewSet(TenantViewSetMixin, viewsets.ModelViewSet):
    """Base of every tenant-owned API resource (list, create, retrieve, update, destroy)."""


class TenantReadOnlyViewSet(TenantViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Base of tenant-owned API resources that are only read."""


def _error(code: str, detail, http_status: int, extra: dict | None = None) -> Response:
    body = {"code": code, "detail": detail}
    if extra:
        body.update(extra)
    return Response(body, status=http_status)


def exception_handler(exc, context):
    """Shape every API error as ``{"code": ..., "detail": ...}`` (plus ``fields`` if invalid)."""
    if isinstance(exc, VaultError):
        # Not the client's fault (no 422): vault.middleware answers 503 for web and API alike.
        return None
    if isinstance(exc, EngineError):
        return _error(exc.code, exc.message, status.HTTP_422_UNPROCESSABLE_ENTITY)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound("Not found.", code="not_found")
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, ScopeError):
        logger.error("api: tenant scope missing in %s: %s", context.get("view"), exc)
        return _error("server_error", "The server could not complete the request.", 500)

    response = drf_exception_handler(exc, context)
    if response is None:
        return None

    if isinstance(exc, exceptions.ValidationError):
        return _error(
            "invalid",
            "The request has invalid fields; see fields.",
            response.status_code,
            {"fields": response.data},
        )

    codes = exc.get_codes() if isinstance(exc, exceptions.APIException) else "error"
    code = codes if isinstance(codes, str) else "error"
    detail = (
        response.data.get("detail", response.data)
        if isinstance(response.data, dict)
        else (response.data)
    )
    shaped = _error(code, detail, response.status_code)
    for header, value in response.items():
        shaped[header] = value
    return shaped
