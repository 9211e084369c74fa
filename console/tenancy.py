"""Tenant isolation, deny by default: tenant-owned rows are only reachable inside a scope.

Every tenant-owned model derives from ``TenantModel``. Its ``objects`` manager hands out
querysets that refuse to touch the database outside ``scope(organization)`` and that are
filtered to that organization inside one, so forgetting a filter fails loudly instead of
leaking another organization's rows. System code (migrations, management commands, token
look-ups) says so explicitly with ``unscoped_access()`` or the ``unscoped`` manager.
"""

import contextlib
import functools
import logging
from contextvars import ContextVar

from django.db import models

logger = logging.getLogger(__name__)


class ScopeError(RuntimeError):
    """A tenant-owned query or save ran outside an organization scope (a programming error)."""


_UNSCOPED = object()
_current: ContextVar = ContextVar("fusebox_organization_scope", default=None)


def _resolve(organization):
    from console.models import Organization

    if isinstance(organization, Organization):
        return organization
    return Organization.objects.get(pk=organization)


@contextlib.contextmanager
def scope(organization):
    """Run the body as ``organization`` (an Organization or its id, as Celery tasks receive)."""
    token = _current.set(_resolve(organization))
    try:
        yield
    finally:
        _current.reset(token)


@contextlib.contextmanager
def unscoped_access():
    """Run system code that legitimately spans organizations (migrations, seeding, checks)."""
    token = _current.set(_UNSCOPED)
    try:
        yield
    finally:
        _current.reset(token)


@contextlib.contextmanager
def no_scope():
    """Close any open scope for the body (used by the middleware between requests and tests)."""
    token = _current.set(None)
    try:
        yield
    finally:
        _current.reset(token)


def in_organization_scope(task_function):
    """Decorator for Celery tasks whose first argument is an organization id: run it scoped.

    Tasks take ids (never model instances, which would be pickled stale) and re-enter the
    organization's scope themselves, as a request does through the middleware.
    """

    @functools.wraps(task_function)
    def run_scoped(organization_id, *args, **kwargs):
        with scope(organization_id):
            return task_function(organization_id, *args, **kwargs)

    return run_scoped


def current_organization():
    """The organization of the open scope, or None outside a scope or inside unscoped_access."""
    value = _current.get()
    return None if value is None or value is _UNSCOPED else value


def is_unscoped() -> bool:
    return _current.get() is _UNSCOPED


def _required_organization_id(model) -> int | None:
    """The organization id to filter by; None under unscoped_access; raises outside a scope."""
    value = _current.get()
    if value is _UNSCOPED:
        return None
    if value is None:
        raise ScopeError(
            f"{model.__name__} was queried outside an organization scope; wrap the code in "
            "console.tenancy.scope(organization) or use unscoped_access() for system work"
        )
    return value.pk


class TenantQuerySet(models.QuerySet):
    """A queryset that applies the current organization filter when it is evaluated."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._scoped_to = None

    def _clone(self):
        clone = super()._clone()
        clone._scoped_to = self._scoped_to
        return clone

    def _apply_scope(self):
        organization_id = _required_organization_id(self.model)
        if organization_id is None or self._scoped_to == organization_id:
            return self
        if self._scoped_to is not None:
            raise ScopeError(
                f"a {self.model.__name__} queryset filtered for organization "
                f"{self._scoped_to} was evaluated inside the scope of {organization_id}"
            )

        # Django's query setter turns values_list() querysets back into dict rows; keep the
        # iterable class the caller chose.
        iterable_class = self._iterable_class
        self.query = self.query.chain()
        self.query.add_q(models.Q(organization_id=organization_id))
        self._iterable_class = iterable_class
        self._scoped_to = organization_id
        return self

    def _fetch_all(self):
        if self._result_cache is None:
            self._apply_scope()
        super()._fetch_all()

    def iterator(self, *args, **kwargs):
        self._apply_scope()
        return super().iterator(*args, **kwargs)

    def count(self):
        self._apply_scope()
        return super().count()

    def exists(self):
        self._apply_scope()
        return super().exists()

    def contains(self, obj):
        self._apply_scope()
        return super().contains(obj)

    def aggregate(self, *args, **kwargs):
        self._apply_scope()
        return super().aggregate(*args, **kwargs)

    def update(self, **kwargs):
        self._apply_scope()
        return super().update(**kwargs)

    def _update(self, values):
        self._apply_scope()
        return super()._update(values)

    def delete(self):
        self._apply_scope()
        return super().delete()

    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        organization_id = _required_organization_id(self.model)
        for obj in objs:
            if obj.organization_id is None and organization_id is not None:
                obj.organization_id = organization_id
            if organization_id is not None and obj.organization_id != organization_id:
                raise ScopeError(
                    f"bulk_create of {self.model.__name__} into organization "
                    f"{obj.organization_id} inside the scope of {organization_id}"
                )
        return super().bulk_create(objs, *args, **kwargs)

    def in_bulk(self, *args, **kwargs):
        self._apply_scope()
        return super().in_bulk(*args, **kwargs)

    def explain(self, *args, **kwargs):
        self._apply_scope()
        return super().explain(*args, **kwargs)

    def resolve_expression(self, *args, **kwargs):
        # Used as a subquery (``filter(x__in=Tenant.objects.all())``): scope it as well.
        self._apply_scope()
        return super().resolve_expression(*args, **kwargs)


class TenantManager(models.Manager.from_queryset(TenantQuerySet)):
    """Default manager of tenant-owned models: scoped, deny by default."""

    def create(self, **kwargs):
        organization = current_organization()
        if organization is not None and "organization" not in kwargs:
            kwargs.setdefault("organization_id", organization.pk)
        return super().create(**kwargs)


class TenantModel(models.Model):
    """Base of every tenant-owned model: an organization and a deny-by-default manager."""

    organization = models.ForeignKey(
        "console.Organization", on_delete=models.CASCADE, related_name="+", editable=False
    )

    objects = TenantManager()
    unscoped = models.Manager()  # noqa: DJ012 (the plain manager for system code)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        """Fill the organization from the scope and refuse to write into another one."""
        organization = current_organization()
        if self.organization_id is None and organization is not None:
            self.organization = organization

        if not is_unscoped():
            if organization is None:
                raise ScopeError(f"{type(self).__name__} was saved outside an organization scope")
            if self.organization_id != organization.pk:
                raise ScopeError(
                    f"{type(self).__name__} of organization {self.organization_id} was saved "
                    f"inside the scope of organization {organization.pk}"
                )
        super().save(*args, **kwargs)
