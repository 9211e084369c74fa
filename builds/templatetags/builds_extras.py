"""Template tags of the builds pages (the dashboard card's short list)."""

from django import template

from builds.models import Build

register = template.Library()


@register.simple_tag
def recent_builds(limit: int = 5):
    """The organization's latest builds, for the dashboard card (one indexed query)."""
    return list(Build.objects.select_related("app").order_by("-created_at", "-id")[:limit])
