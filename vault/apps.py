from django.apps import AppConfig


class VaultConfig(AppConfig):
    """Envelope encryption of tenant secrets at rest."""

    name = "vault"
    verbose_name = "Vault"
