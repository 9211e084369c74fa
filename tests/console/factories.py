"""factory_boy factories for organizations, people and their memberships.

Tenant-owned rows are written under ``unscoped_access()`` so factories work whatever scope
the test has open; other suites import these.
"""

import factory
from django.contrib.auth import get_user_model

from console import roles
from console.models import Membership, Organization
from console.tenancy import unscoped_access


class TenantFactory(factory.django.DjangoModelFactory):
    """Base for factories of ``TenantModel`` subclasses: saves outside any scope check."""

    class Meta:
        abstract = True

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        with unscoped_access():
            return super()._create(model_class, *args, **kwargs)


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Organization {n}")
    slug = factory.Sequence(lambda n: f"organization-{n}")


class UserFactory(factory.django.DjangoModelFactory):
    """A person; the password is unusable unless given (tests sign in with force_login)."""

    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"person{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.test")

    @factory.post_generation
    def password(self, create, extracted, **kwargs):
        if extracted:
            self.set_password(extracted)
        else:
            self.set_unusable_password()
        if create:
            self.save(update_fields=["password"])


class MembershipFactory(TenantFactory):
    class Meta:
        model = Membership

    organization = factory.SubFactory(OrganizationFactory)
    user = factory.SubFactory(UserFactory)
    role = roles.OWNER
