"""``manage.py create_organization``: the first organization and its owner on a new install."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from console import roles
from console.audit import record_event
from console.models import Membership, Organization
from console.tenancy import scope


class Command(BaseCommand):
    help = "Create an organization and make an existing user its owner."

    def add_arguments(self, parser):
        parser.add_argument("slug", help="short name used in URLs, e.g. acme")
        parser.add_argument("name", help="display name, e.g. 'Acme Mobile'")
        parser.add_argument("--owner", required=True, help="user name of the first owner")

    def handle(self, *args, **options):
        user = get_user_model().objects.filter(username=options["owner"]).first()
        if user is None:
            raise CommandError(
                f"no user {options['owner']!r}; create one first with `manage.py createsuperuser`"
            )
        if Organization.objects.filter(slug=options["slug"]).exists():
            raise CommandError(f"an organization with slug {options['slug']!r} already exists")

        with transaction.atomic():
            organization = Organization.objects.create(slug=options["slug"], name=options["name"])
            with scope(organization):
                Membership.objects.create(user=user, role=roles.OWNER)
            record_event(
                organization,
                "organization.created",
                target=organization,
                changes={"name": organization.name, "owner": user.get_username()},
            )
        self.stdout.write(f"created {organization.slug} with owner {user.get_username()}")
