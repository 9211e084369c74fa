from django.apps import AppConfig


class FusionsetsConfig(AppConfig):
    """Versioned security templates that builds apply."""

    name = "fusionsets"
    verbose_name = "Fusion Sets"
