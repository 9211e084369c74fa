from django.apps import AppConfig


class ConsoleConfig(AppConfig):
    """Tenancy, authentication, the audit trail and the dashboard."""

    name = "console"
    verbose_name = "Console"
