"""``manage.py verify_audit``: check every organization's audit chain, name the first break."""

from django.core.management.base import BaseCommand, CommandError

from console.audit import verify_chain
from console.models import Organization


class Command(BaseCommand):
    help = "Verify the hash chain of every organization's audit trail."

    def add_arguments(self, parser):
        parser.add_argument("--organization", help="slug of one organization to check")

    def handle(self, *args, **options):
        organizations = Organization.objects.order_by("pk")
        if options["organization"]:
            organizations = organizations.filter(slug=options["organization"])
            if not organizations.exists():
                raise CommandError(f"no organization with slug {options['organization']!r}")

        broken = []
        for organization in organizations:
            problem = verify_chain(organization.pk)
            if problem:
                broken.append(f"{organization.slug}: {problem}")
                self.stderr.write(f"BROKEN {organization.slug}: {problem}")
            else:
                self.stdout.write(f"ok {organization.slug}")

        if broken:
            raise CommandError(f"audit chain broken in {len(broken)} organization(s)")
