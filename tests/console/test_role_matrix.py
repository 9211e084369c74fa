"""Role matrix: each role can do exactly what console.roles says, on every registered route."""

import types
from pathlib import Path

import pytest
from django.test import Client
from django.urls import resolve, reverse

from console import roles
from console.tokens import create_token
from tests.console.route_sweep import load_registrations

pytestmark = pytest.mark.django_db

EXPECTED = {
    "owner": {
        "dashboard.view", "organization.manage", "members.view", "members.manage",
        "tokens.manage", "audit.view", "trust.view", "trust.manage", "fusionsets.view",
        "builds.view", "reports.view",
    },
    "security": {
        "dashboard.view", "trust.view", "trust.manage", "fusionsets.view",
        "fusionsets.manage", "builds.view", "reports.view",
    },
    "devops": {
        "dashboard.view", "trust.view", "fusionsets.view", "apps.upload", "builds.run",
        "builds.view", "builds.download", "reports.view",
    },
    "auditor": {
        "dashboard.view", "members.view", "audit.view", "trust.view", "fusionsets.view",
        "builds.view", "reports.view",
    },
}  # fmt: skip


@pytest.mark.parametrize("role", roles.ROLES)
def test_each_role_holds_exactly_the_documented_permissions(role):
    assert roles.permissions_for(role) == EXPECTED[role]


def test_an_auditor_changes_nothing():
    assert not {p for p in roles.permissions_for("auditor") if not p.endswith(".view")}


def test_it_raises_for_a_permission_that_is_not_in_the_matrix():
    with pytest.raises(roles.UnknownPermission):
        roles.has_permission("owner", "members.manages")


def test_the_readme_shows_the_same_matrix_as_the_code():
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()

    assert roles.matrix_markdown() in readme


def _required_permission(url, method):
    """The permission the view behind ``url`` demands for ``method`` (None when it has none)."""
    match = resolve(url)
    view_class = getattr(match.func, "view_class", None)
    if view_class is not None:
        return getattr(view_class, "required_permission", None)

    viewset = getattr(match.func, "cls", None)
    actions = getattr(match.func, "actions", None) or {}
    if viewset is not None and method in actions:
        return viewset.required_permissions.get(actions[method])
    return None


def _guarded_cases():
    """Every (route, method) whose view names a permission."""
    cases = []
    for route in sorted(load_registrations().values(), key=lambda r: r.name):
        if route.kind == "public":
            continue
        sample = reverse(route.name, kwargs=_sample_kwargs(route))
        for method in route.methods or ("get",):
            if _required_permission(sample, method) is not None:
                cases.append(pytest.param(route, method, id=f"{route.name}-{method}"))
    return cases


def _sample_kwargs(route):
    if route.kind != "object":
        return {}
    return route.kwargs(types.SimpleNamespace(pk=1, id=1))


def _answer(url, method, role, team, is_api):
    client = Client()
    if is_api:
        _token, key = create_token(team.organization, name=f"matrix {role}", role=role)
        client.defaults["HTTP_AUTHORIZATION"] = key
    else:
        client.force_login(team.user(role))
    if method in {"patch", "put"}:
        return getattr(client, method)(url, data="{}", content_type="application/json")
    return getattr(client, method)(url)


@pytest.mark.parametrize(("route", "method"), _guarded_cases())
def test_each_role_reaches_a_route_only_with_its_permission(route, method, cast):
    kwargs = route.kwargs(route.factory(cast.a.organization)) if route.kind == "object" else {}
    url = reverse(route.name, kwargs=kwargs)
    permission = _required_permission(url, method)
    # Refused roles go first: they change nothing, so one object serves every role (a
    # permitted DELETE may remove it; later permitted roles then get 404, still not 403).
    ordered = sorted(roles.ROLES, key=lambda role: roles.has_permission(role, permission))

    wrong = []
    for role in ordered:
        status = _answer(url, method, role, cast.a, route.is_api).status_code
        allowed = roles.has_permission(role, permission)
        if allowed and status == 403:
            wrong.append(f"{role} was refused {permission}")
        if not allowed and status != 403:
            wrong.append(f"{role} got {status} without {permission}")

    assert not wrong, "; ".join(wrong)
