"""Template tags of Fusion Sets (the dashboard card's counts)."""

from django import template

from fusionsets.models import FusionSet

register = template.Library()


@register.simple_tag
def fusion_set_counts() -> dict:
    """Active and frozen sets of the current organization, in one small query each."""
    active = FusionSet.objects.filter(archived_at__isnull=True)
    return {"active": active.count(), "frozen": active.filter(frozen_at__isnull=False).count()}
