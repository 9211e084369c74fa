from django.apps import AppConfig


class VaultConfig(AppConfig):
    """Envelope encryption of tenant secrets at rest."""

    name = "vault"
    verbose_name = "Vault"

    def ready(self):
        from django.core import checks

        from vault.checks import master_key_configured

        checks.register(master_key_configured, "vault")
