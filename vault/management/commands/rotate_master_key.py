"""Re-wrap every organization data key under the newest master key version."""

import logging

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from vault.models import OrganizationDataKey
from vault.providers import get_provider
from vault.signals import master_key_rotated

logger = logging.getLogger(__name__)


def rotate_master_key() -> tuple[int, int]:
    """Re-wrap data keys still under an older master key; return (re-wrapped, total).

    Each key is re-wrapped in its own transaction with the row locked, so an interrupted run
    leaves every key readable (old keys stay under the old, still configured, version) and a
    second run finishes the job. Sealed secrets are not touched.
    """
    provider = get_provider()
    newest = provider.current_version()
    rewrapped = 0
    identifiers = list(OrganizationDataKey.objects.values_list("pk", flat=True))

    for identifier in identifiers:
        with transaction.atomic():
            row = OrganizationDataKey.objects.select_for_update().get(pk=identifier)
            if row.master_key_version == newest:
                continue
            data_key = provider.unwrap(row.master_key_version, bytes(row.wrapped_key))
            row.master_key_version, row.wrapped_key = provider.wrap(data_key)
            row.rewrapped = timezone.now()
            row.save(update_fields=["master_key_version", "wrapped_key", "rewrapped"])
            rewrapped += 1
    logger.info(
        "re-wrapped %s of %s data keys under master key %s", rewrapped, len(identifiers), newest
    )
    master_key_rotated.send(sender=OrganizationDataKey, version=newest)
    return rewrapped, len(identifiers)


class Command(BaseCommand):
    help = (
        "Re-wrap every organization data key under the newest master key version. Keep the "
        "old version in the key file until this has finished."
    )

    def handle(self, *args, **options):
        newest = get_provider().current_version()
        rewrapped, total = rotate_master_key()
        self.stdout.write(
            f"{rewrapped} of {total} data keys re-wrapped; all are now under master key "
            f"version {newest}. The older master key versions can be removed."
        )
