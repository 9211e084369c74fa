"""Uploaded apps and the builds that fuse them."""

from django.apps import AppConfig


class BuildsConfig(AppConfig):
    """Uploaded apps and the builds that fuse them."""

    name = "builds"
    verbose_name = "Builds"

    def ready(self):
        from console.navigation import (
            DashboardCard,
            NavItem,
            register_dashboard_card,
            register_nav_item,
        )

        register_nav_item(NavItem("Apps", "app-list", "builds.view", order=30))
        register_nav_item(NavItem("Builds", "build-list", "builds.view", order=31))
        register_nav_item(
            NavItem("Webhooks", "webhook-list", "organization.manage", section="organization",
                    order=60)
        )  # fmt: skip
        register_dashboard_card(
            DashboardCard("Builds", "builds/_card.html", "builds.view", order=30)
        )
