"""Template context every console page needs: the organization, role, switcher, navigation."""

from console import roles
from console.navigation import nav_items_for


def console(request):
    role = getattr(request, "role", None)
    if getattr(request, "api_token", None) is not None:
        return {}
    return {
        "current_organization": getattr(request, "organization", None),
        "current_role": role,
        "current_role_label": roles.ROLE_LABELS.get(role, ""),
        "user_memberships": getattr(request, "memberships", []),
        "nav_main": nav_items_for(role, "main"),
        "nav_organization": nav_items_for(role, "organization"),
        "current_url_name": getattr(getattr(request, "resolver_match", None), "url_name", ""),
        "current_permissions": roles.permissions_for(role),
    }
