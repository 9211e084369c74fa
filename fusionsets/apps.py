"""Versioned security templates that builds apply."""

from django.apps import AppConfig


class FusionsetsConfig(AppConfig):
    """Versioned security templates that builds apply."""

    name = "fusionsets"
    verbose_name = "Fusion Sets"

    def ready(self):
        from console.navigation import (
            DashboardCard,
            NavItem,
            register_dashboard_card,
            register_nav_item,
        )
        from fusionsets.usage import fusion_sets_using
        from trust.usage import register_usage_reporter

        register_usage_reporter(fusion_sets_using)
        register_nav_item(NavItem("Fusion Sets", "fusionset-list", "fusionsets.view", order=25))
        register_dashboard_card(
            DashboardCard("Fusion Sets", "fusionsets/_card.html", "fusionsets.view", order=25)
        )
