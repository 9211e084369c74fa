"""Deployment check: several web processes need one shared cache.

The DEV-API budget of each organization and the DEV-API token cache live in Django's cache.
Without ``CACHE_URL`` that is each process's own memory: with several gunicorn workers an
organization gets its budget once per worker, and a revoked token keeps working in the
other workers until their cached row expires. ``manage.py check --deploy`` says so.
"""

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.caches, deploy=True)
def shared_cache_configured(app_configs=None, **kwargs):
    if settings.CACHE_URL:
        return []
    return [
        checks.Warning(
            "CACHE_URL is not set: every web process keeps its own cache, so API rate limits "
            "count per process and a revoked DEV-API token keeps working in the other "
            f"processes for up to {settings.FUSEBOX_TOKEN_CACHE_SECONDS} s",
            hint="Point CACHE_URL at Redis (docker-compose.yml uses redis://redis:6379/1).",
            id="console.W001",
        )
    ]
