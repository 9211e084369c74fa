from django.apps import AppConfig


class CertifiedConfig(AppConfig):
    """Signed reports that prove what a build's output carries."""

    name = "certified"
    verbose_name = "Certified Secure"
