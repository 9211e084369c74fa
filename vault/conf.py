"""Vault settings, read from the environment each time so a key file change needs no restart.

- ``FUSEBOX_MASTER_KEY``: one base64 32-byte key (master key version "1").
- ``FUSEBOX_MASTER_KEY_FILE``: a file of ``version:base64`` lines; the highest version wraps
  new data keys, older lines keep unwrapping until ``manage.py rotate_master_key`` has run.
- ``FUSEBOX_MASTER_KEY_PROVIDER``: dotted path of the `MasterKeyProvider` class
  (default: the local provider); a KMS or Vault backend plugs in here.
- Development only (``FUSEBOX_DEBUG`` true, nothing configured): ``var/dev-master-key``.
"""

from pathlib import Path

from django.conf import settings

from console.env import env_bool, env_str

DEFAULT_PROVIDER = "vault.providers.LocalMasterKeyProvider"
DEVELOPMENT_KEY_NAME = "dev-master-key"


def provider_path() -> str:
    return env_str("FUSEBOX_MASTER_KEY_PROVIDER", DEFAULT_PROVIDER)


def master_key_inline() -> str:
    return env_str("FUSEBOX_MASTER_KEY")


def master_key_file() -> Path | None:
    raw = env_str("FUSEBOX_MASTER_KEY_FILE")
    return Path(raw).expanduser() if raw else None


def debug() -> bool:
    return env_bool("FUSEBOX_DEBUG", default=True)


def development_key_file() -> Path:
    return Path(settings.VAR_DIR) / DEVELOPMENT_KEY_NAME
