from django.apps import AppConfig


class CertifiedConfig(AppConfig):
    """Signed reports that prove what a build's output carries."""

    name = "certified"
    verbose_name = "Certified Secure"

    def ready(self):
        from console.navigation import NavItem, register_nav_item

        register_nav_item(NavItem("Reports", "report-list", "reports.view", order=40))
