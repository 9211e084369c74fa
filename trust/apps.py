"""CA certificates, client identities and signing keys."""

from django.apps import AppConfig


class TrustConfig(AppConfig):
    """CA certificates, client identities and signing keys."""

    name = "trust"
    verbose_name = "Trust material"

    def ready(self):
        from console.navigation import (
            DashboardCard,
            NavItem,
            register_dashboard_card,
            register_nav_item,
        )
        from trust.usage import identities_of_ca, register_usage_reporter

        register_usage_reporter(identities_of_ca)
        register_nav_item(NavItem("Trust material", "trust", "trust.view", order=10))
        register_dashboard_card(
            DashboardCard("Expiring trust material", "trust/_expiry_card.html", "trust.view", 10)
        )
