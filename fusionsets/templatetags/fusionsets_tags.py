"""Template tags of Fusion Sets (the dashboard card's counts)."""

from django import template

from fusionsets.models import FusionSet

register = template.Library()


@register.simple_tag
def fusion_set_counts() -> dict:
    """Active and frozen sets of the current organization, in one small query each."""
    active = FusionSet.objects.filter(archived_at__isnull=True)
    return {"active": active.count(), "frozen": active.filter(frozen_at__isnull=False).count()}


@register.filter
def setting_value(value) -> str:
    """A settings value as a reviewer reads it: on/off, a dash for nothing, lists joined."""
    if value is True:
        return "on"
    if value is False:
        return "off"
    if value in (None, "", []):
        return "\u2013"  # an en dash, as the rest of the console shows "nothing"
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return str(value)
