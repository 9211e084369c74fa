"""Template tags for trust cards on the dashboard."""

from datetime import timedelta

from django import template
from django.utils import timezone

from trust.models import EXPIRY_WARNING_DAYS, CACertificate, ClientIdentity, SigningKeystore

register = template.Library()


@register.simple_tag
def expiring_trust_material() -> list:
    """Everything of the current organization that expires within the warning window."""
    from trust.views import item_url

    horizon = timezone.now() + timedelta(days=EXPIRY_WARNING_DAYS)
    items = []
    for model, kind in (
        (CACertificate, "CA certificate"),
        (ClientIdentity, "client identity"),
        (SigningKeystore, "signing keystore"),
    ):
        for item in model.objects.filter(not_after__lte=horizon):
            item.kind = kind
            item.url = item_url(item)
            items.append(item)
    return sorted(items, key=lambda item: item.not_after)
