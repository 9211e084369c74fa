"""`make run`'s preparation: the demo organization is seeded once, logins shown only then."""

import pytest

from console import roles
from console.audit import verify_chain
from console.devserver import seed_demo_organization
from console.models import Membership, Organization

pytestmark = pytest.mark.django_db


def test_it_seeds_one_demo_user_per_role_and_prints_logins_only_the_first_time():
    first = seed_demo_organization()
    second = seed_demo_organization()

    assert sorted(role for _user, _password, role in first) == sorted(roles.ROLES)
    assert all(len(password) >= 16 for _user, password, _role in first)
    assert second == []
    demo = Organization.objects.get(slug="demo")
    assert Membership.unscoped.filter(organization=demo).count() == 4
    assert verify_chain(demo.pk) is None


def test_the_openapi_schema_describes_the_dev_api_and_its_token(client):
    schema = client.get("/api/schema/").content.decode()

    assert "/api/v1/tokens/" in schema
    assert "/api/v1/audit-events/" in schema
    assert "devApiToken" in schema
