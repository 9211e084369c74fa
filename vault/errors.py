"""Errors of the vault; none of them ever carries key material or plaintext."""

from workers.engine.errors import EngineError


class VaultError(EngineError):
    """The vault cannot do its job; the message says which setting or row to look at."""

    code = "vault_error"


class MasterKeyMissing(VaultError):
    """No master key is configured (or the configured one cannot be read)."""

    code = "master_key_missing"


class SecretUnreadable(VaultError):
    """A sealed secret does not decrypt: wrong row, wrong organization, or a lost key."""

    code = "secret_unreadable"
