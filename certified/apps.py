from django.apps import AppConfig


class CertifiedConfig(AppConfig):
    """Signed reports that prove what a build's output carries."""

    name = "certified"
    verbose_name = "Certified Secure"

    def ready(self):
        from console.navigation import NavItem, register_nav_item

        register_nav_item(NavItem("Reports", "report-list", "reports.view", order=40))

        from vault.signals import master_key_rotated

        master_key_rotated.connect(_rewrap_report_authority, dispatch_uid="certified-rewrap")


def _rewrap_report_authority(sender, **kwargs):
    """The report-signing keys are wrapped by the master key too: follow its rotation."""
    from certified.authority import rewrap_with_current_master_key

    rewrap_with_current_master_key()
