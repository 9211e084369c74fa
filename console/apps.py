from django.apps import AppConfig


class ConsoleConfig(AppConfig):
    """Tenancy, authentication, the audit trail and the dashboard."""

    name = "console"
    verbose_name = "Console"

    def ready(self):
        # Bind shared tasks to Fusebox's Celery app in every process, web included.
        import console.checks  # registers the deployment checks
        import console.schema  # noqa: F401 (registers the OpenAPI authentication schemes)
        import workers.celery  # noqa: F401
        from console.navigation import NavItem, register_nav_item

        register_nav_item(NavItem("Dashboard", "dashboard", "dashboard.view", order=0))
        for item in [
            NavItem("Members", "members", "members.view", order=10, section="organization"),
            NavItem("API tokens", "tokens", "tokens.manage", order=20, section="organization"),
            NavItem("Audit trail", "audit", "audit.view", order=30, section="organization"),
            NavItem(
                "Settings",
                "organization-settings",
                "organization.manage",
                order=40,
                section="organization",
            ),
        ]:
            register_nav_item(item)
