"""System check: a deployment without a usable master key stops at start-up.

Without it, nothing secret can be stored or read, and the first upload of a keystore or
webhook would fail in front of a user. ``manage.py migrate`` (the first thing a deployment
runs) and ``manage.py check`` report it instead, with the setting to fix: an error in
production (``FUSEBOX_DEBUG=false``), a warning on a laptop, where ``make run`` creates the
development key after migrating. Only the local provider is checked: a KMS provider may
need the network, which a start-up check must not.
"""

from django.core import checks

from vault import conf
from vault.errors import VaultError
from vault.providers import LocalMasterKeyProvider


def master_key_configured(app_configs=None, **kwargs):
    if conf.provider_path() != conf.DEFAULT_PROVIDER:
        return []

    try:
        LocalMasterKeyProvider()
    except VaultError as error:
        if conf.debug():
            return [
                checks.Warning(
                    error.message,
                    hint="`make run` creates a development key on its first start.",
                    id="vault.W001",
                )
            ]
        return [
            checks.Error(
                error.message,
                hint="Create a key file of 'version:base64' lines (docs/trust.md, 'Create a "
                "production key') and point FUSEBOX_MASTER_KEY_FILE at it.",
                id="vault.E001",
            )
        ]
    return []
