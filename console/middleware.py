"""Open the organization scope for each request: from the API token or the console session."""

import logging

from console.models import Membership
from console.tenancy import no_scope, scope, unscoped_access
from console.tokens import authenticate_key, key_from_header

logger = logging.getLogger(__name__)

SESSION_ORGANIZATION_KEY = "fusebox_organization_id"


class TokenPrincipal:
    """Stands in for ``request.user`` when a DEV-API token, not a person, is calling."""

    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_staff = False
    is_superuser = False
    pk = None
    id = None

    def __init__(self, token):
        self.token = token

    def __str__(self) -> str:
        return f"token {self.token.name}"

    def get_username(self) -> str:
        return str(self)


def memberships_of(user):
    """The user's memberships across organizations (for the switcher and the scope)."""
    if not user.is_authenticated or user.pk is None:
        return []
    with unscoped_access():
        return list(
            Membership.objects.filter(user=user)
            .select_related("organization")
            .order_by("organization__name")
        )


class OrganizationScopeMiddleware:
    """Sets ``request.organization``, ``request.role`` and ``request.api_token``.

    A request carrying a DEV-API token acts for the token's organization with the token's
    role. A console session acts for the organization chosen in the switcher (the first one
    the user belongs to until they choose). Everything else runs with no scope at all.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.organization = None
        request.role = None
        request.membership = None
        request.api_token = None
        request.memberships = []

        header = request.META.get("HTTP_AUTHORIZATION", "")
        key = key_from_header(header) if header else None
        if key is not None:
            token = authenticate_key(key)
            if token is not None:
                request.api_token = token
                request.organization = token.organization
                request.role = token.role
        elif request.user.is_authenticated:
            self._from_session(request)

        if request.organization is None:
            with no_scope():
                return self.get_response(request)
        with scope(request.organization):
            return self.get_response(request)

    def _from_session(self, request):
        request.memberships = memberships_of(request.user)
        if not request.memberships:
            return

        chosen = request.session.get(SESSION_ORGANIZATION_KEY)
        membership = next(
            (m for m in request.memberships if m.organization_id == chosen),
            request.memberships[0],
        )
        request.membership = membership
        request.organization = membership.organization
        request.role = membership.role
        if chosen != membership.organization_id:
            request.session[SESSION_ORGANIZATION_KEY] = membership.organization_id
