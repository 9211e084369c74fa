from django.apps import AppConfig


class TrustConfig(AppConfig):
    """CA certificates, client identities and signing keys."""

    name = "trust"
    verbose_name = "Trust material"
