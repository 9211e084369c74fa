"""The isolation mechanism: scoped managers refuse to run outside an organization scope."""

import pytest

from console.models import Membership
from console.tenancy import ScopeError, current_organization, scope, unscoped_access
from tests.console.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def test_it_refuses_a_tenant_query_outside_a_scope(cast):
    with pytest.raises(ScopeError):
        list(Membership.objects.all())
    with pytest.raises(ScopeError):
        Membership.objects.count()
    with pytest.raises(ScopeError):
        Membership.objects.filter(role="owner").exists()


def test_it_allows_building_a_queryset_outside_a_scope_and_filters_it_when_evaluated(cast):
    queryset = Membership.objects.filter(role="owner")

    with scope(cast.a.organization):
        owners = list(queryset)

    assert [m.user for m in owners] == [cast.a.user("owner")]


def test_it_shows_only_the_current_organizations_rows(cast):
    with scope(cast.b.organization):
        users = {m.user.username for m in Membership.objects.all()}

    assert users == {"b-owner", "b-security", "b-devops", "b-auditor"}


def test_it_answers_does_not_exist_for_another_organizations_row(cast):
    other = Membership.unscoped.get(user=cast.b.user("owner"))

    with scope(cast.a.organization), pytest.raises(Membership.DoesNotExist):
        Membership.objects.get(pk=other.pk)


def test_it_refuses_to_update_or_delete_rows_outside_a_scope(cast):
    with pytest.raises(ScopeError):
        Membership.objects.filter(role="owner").update(role="auditor")
    with pytest.raises(ScopeError):
        Membership.objects.all().delete()


def test_it_limits_bulk_updates_to_the_current_organization(cast):
    with scope(cast.a.organization):
        changed = Membership.objects.all().update(role="auditor")

    assert changed == 4
    assert Membership.unscoped.filter(organization=cast.b.organization, role="owner").exists()


def test_it_scopes_a_tenant_queryset_used_as_a_subquery(cast):
    from django.contrib.auth import get_user_model

    with scope(cast.a.organization):
        users = get_user_model().objects.filter(pk__in=Membership.objects.values("user_id"))
        names = {user.username for user in users}

    assert names == {"a-owner", "a-security", "a-devops", "a-auditor"}


def test_it_refuses_to_save_a_row_into_another_organization(cast):
    membership = Membership.unscoped.get(user=cast.b.user("devops"))

    with scope(cast.a.organization), pytest.raises(ScopeError):
        membership.save()
    with pytest.raises(ScopeError):
        membership.save()


def test_it_fills_the_organization_from_the_scope_on_create(cast):
    from tests.console.factories import UserFactory

    newcomer = UserFactory()
    with scope(cast.a.organization):
        membership = Membership.objects.create(user=newcomer, role="devops")

    assert membership.organization == cast.a.organization


def test_it_refuses_a_queryset_evaluated_in_another_scope_than_it_was_filtered_for(cast):
    with scope(cast.a.organization):
        queryset = Membership.objects.all()
        queryset.count()

    with scope(cast.b.organization), pytest.raises(ScopeError):
        list(queryset)


def test_scope_nests_and_restores_the_outer_organization(cast):
    with scope(cast.a.organization):
        with scope(cast.b.organization.pk):
            assert current_organization() == cast.b.organization
        assert current_organization() == cast.a.organization
    assert current_organization() is None


def test_unscoped_access_reads_every_organization(cast):
    MembershipFactory()

    with unscoped_access():
        assert Membership.objects.count() == 9


def test_a_task_decorated_with_in_organization_scope_runs_inside_that_scope(cast):
    from console.tenancy import in_organization_scope

    @in_organization_scope
    def count_members(organization_id):
        return current_organization(), Membership.objects.count()

    organization, count = count_members(cast.b.organization.pk)

    assert organization == cast.b.organization
    assert count == 4
    assert current_organization() is None


def test_the_api_base_refuses_a_queryset_that_is_not_scoped():
    from django.core.exceptions import ImproperlyConfigured

    from console.api import TenantViewSet
    from console.models import Organization

    class LeakyViewSet(TenantViewSet):
        queryset = Membership.unscoped.all()

    class NotTenantViewSet(TenantViewSet):
        queryset = Organization.objects.all()

    for viewset in (LeakyViewSet, NotTenantViewSet):
        with scope(Organization(pk=1)), pytest.raises(ImproperlyConfigured):
            viewset().get_queryset()


def test_it_keeps_values_list_rows_as_tuples_inside_a_scope(cast):
    with scope(cast.a.organization):
        pairs = list(Membership.objects.filter(role="owner").values_list("role", "organization"))
        roles = list(Membership.objects.values_list("role", flat=True))

    assert pairs == [("owner", cast.a.organization.pk)]
    assert sorted(roles) == sorted(["owner", "security", "devops", "auditor"])
