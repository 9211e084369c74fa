"""Route sweep: every console and API route keeps organizations apart.

A member of organization A who uses organization B's object ids gets 404 on every method,
and no list shows B's rows. A route missing from the isolation matrix fails the sweep.
"""

import types

import pytest
from django.test import Client
from django.urls import path, reverse

from console.tokens import create_token
from tests.console.route_sweep import all_routes, load_registrations, uncovered_routes

pytestmark = pytest.mark.django_db

MATRIX = load_registrations()
ROUTES = sorted(MATRIX.values(), key=lambda route: route.name)


def _ids(route):
    return route.name


def _client_for(route, team):
    """A client acting as ``route.role`` of ``team``: DEV-API token or console session."""
    client = Client()
    if route.is_api:
        _token, key = create_token(team.organization, name=f"sweep {route.role}", role=route.role)
        client.defaults["HTTP_AUTHORIZATION"] = f"Token {key}"
    else:
        client.force_login(team.user(route.role))
    return client


def _call(client, method, url):
    if method in {"patch", "put"}:
        return getattr(client, method)(url, data="{}", content_type="application/json")
    return getattr(client, method)(url)


def test_every_console_and_api_route_is_in_the_isolation_matrix():
    missing = [f"{route.key} ({route.pattern})" for route in uncovered_routes()]

    assert not missing, (
        "routes missing from the isolation matrix; register them in tests/<app>/routes.py: "
        + ", ".join(missing)
    )


def test_the_matrix_names_only_routes_that_exist():
    existing = {route.key for route in all_routes()}

    assert sorted(set(MATRIX) - existing) == []


def test_the_sweep_fails_for_a_new_unscoped_route():
    from console import urls as real_urls

    def leaky_view(request, pk):  # pragma: no cover - never called
        raise AssertionError

    urlconf = types.ModuleType("leaky_urls")
    urlconf.urlpatterns = [
        *real_urls.urlpatterns,
        path("leak/<int:pk>/", leaky_view, name="leaky-detail"),
        path("leak/", leaky_view),
    ]

    already_missing = {route.key for route in uncovered_routes()}
    missing = {route.key for route in uncovered_routes(urlconf)} - already_missing

    assert missing == {"leaky-detail", "leak/"}


def test_object_routes_take_their_ids_from_the_url():
    for route in ROUTES:
        found = next(r for r in all_routes() if r.key == route.name)
        if route.kind == "object":
            assert found.converters, f"{route.name} is an object route without an id"


@pytest.mark.parametrize("route", [r for r in ROUTES if r.kind == "object"], ids=_ids)
def test_another_organizations_object_answers_404(route, cast):
    theirs = route.factory(cast.b.organization)
    client = _client_for(route, cast.a)
    url = reverse(route.name, kwargs=route.kwargs(theirs))

    for method in route.methods:
        response = _call(client, method, url)
        assert response.status_code == 404, f"{method.upper()} {url}: {response.status_code}"

    if not route.control:
        return
    ours = route.factory(cast.a.organization)
    own_url = reverse(route.name, kwargs=route.kwargs(ours))
    response = _call(client, route.methods[0], own_url)
    assert response.status_code != 404, f"own object at {own_url} is not reachable"


@pytest.mark.parametrize("route", [r for r in ROUTES if r.kind == "list"], ids=_ids)
def test_lists_never_show_another_organizations_rows(route, cast):
    theirs = route.factory(cast.b.organization)
    ours = route.factory(cast.a.organization)
    client = _client_for(route, cast.a)

    response = client.get(reverse(route.name))
    body = response.content.decode()

    assert response.status_code == 200
    assert route.marker(theirs) not in body
    assert route.marker(ours) in body


@pytest.mark.parametrize("route", [r for r in ROUTES if r.kind == "page" and r.methods], ids=_ids)
def test_pages_without_tenant_rows_answer_members(route, cast):
    client = _client_for(route, cast.a)

    for method in route.methods:
        response = _call(client, method, reverse(route.name))
        assert response.status_code < 400, f"{route.name}: {response.status_code}"


@pytest.mark.parametrize("route", [r for r in ROUTES if r.kind == "public"], ids=_ids)
def test_public_routes_answer_without_an_error(route, db):
    has_arguments = next(r for r in all_routes() if r.key == route.name).converters
    kwargs = route.kwargs(None) if has_arguments else {}

    for method in route.methods:
        response = _call(Client(), method, reverse(route.name, kwargs=kwargs))
        assert response.status_code in {200, 302, 404}, f"{route.name}: {response.status_code}"
