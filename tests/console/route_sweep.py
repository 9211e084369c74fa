"""The isolation matrix: every console and API route, and how to prove it keeps tenants apart.

A suite registers its routes in ``tests/<app>/routes.py`` with ``register(Route(...))``;
``load_registrations()`` imports those modules, and ``test_route_sweep`` fails for any URL
pattern that nobody registered, so a new unscoped route cannot slip in unnoticed.
"""

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.urls import URLPattern, URLResolver, get_resolver

KINDS = {"object", "list", "page", "public"}

# Namespaces outside the matrix: the Django admin is for staff only and not tenant-facing.
EXCLUDED_NAMESPACES = {"admin"}


@dataclass(frozen=True)
class Route:
    """How the sweep exercises one URL pattern (by its name, or its pattern if unnamed)."""

    name: str
    kind: str
    methods: tuple[str, ...] = ("get",)
    role: str = "owner"
    factory: Callable | None = None
    kwargs: Callable = field(default=lambda obj: {"pk": obj.pk})
    marker: Callable | None = None
    reason: str = ""
    # Object routes also check that the member's own object is reachable (not 404), so a
    # 404 cannot come from a broken route. Set False, with a reason, when reaching one's own
    # object needs more than the URL (a query string, a second object).
    control: bool = True

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"route {self.name}: kind must be one of {sorted(KINDS)}")
        if self.kind == "object" and self.factory is None:
            raise ValueError(f"route {self.name}: an object route needs a factory")
        if self.kind == "list" and (self.factory is None or self.marker is None):
            raise ValueError(f"route {self.name}: a list route needs a factory and a marker")
        if self.kind == "object" and not self.control and not self.reason:
            raise ValueError(f"route {self.name}: say why the own-object check is skipped")
        if self.kind == "public" and not self.reason:
            raise ValueError(f"route {self.name}: say why it is public")

    @property
    def is_api(self) -> bool:
        return self.name.startswith("api-")


MATRIX: dict[str, Route] = {}


def register(route: Route) -> None:
    if route.name in MATRIX and MATRIX[route.name] != route:
        raise ValueError(f"route {route.name} is registered twice with different rules")
    MATRIX[route.name] = route


def load_registrations() -> dict[str, Route]:
    """Import ``tests/<suite>/routes.py`` of every suite, then return the matrix."""
    tests_dir = Path(__file__).resolve().parent.parent
    for module in pkgutil.iter_modules([str(tests_dir)]):
        if module.ispkg and (tests_dir / module.name / "routes.py").is_file():
            importlib.import_module(f"tests.{module.name}.routes")
    return MATRIX


@dataclass(frozen=True)
class FoundRoute:
    key: str  # the URL name with its namespace, or the pattern of an unnamed route
    pattern: str
    converters: tuple[str, ...]


def all_routes(urlconf=None) -> list[FoundRoute]:
    """Every URL pattern reachable from ``urlconf``, excluding EXCLUDED_NAMESPACES."""
    found = []

    def walk(patterns, prefix, namespace):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                if entry.namespace in EXCLUDED_NAMESPACES:
                    continue
                inner = ":".join(p for p in [namespace, entry.namespace] if p)
                walk(entry.url_patterns, prefix + str(entry.pattern), inner)
            elif isinstance(entry, URLPattern):
                pattern = prefix + str(entry.pattern)
                if entry.name:
                    key = f"{namespace}:{entry.name}" if namespace else entry.name
                else:
                    key = pattern
                converters = tuple(entry.pattern.regex.groupindex)
                found.append(FoundRoute(key, pattern, converters))

    walk(get_resolver(urlconf).url_patterns, "", "")
    return found


def uncovered_routes(urlconf=None) -> list[FoundRoute]:
    matrix = load_registrations()
    return [route for route in all_routes(urlconf) if route.key not in matrix]
