"""Master key providers: the one piece that holds the key wrapping every data key.

A provider only wraps and unwraps 32-byte data keys. The local provider keeps master keys
in the environment or a key file; a KMS or HashiCorp Vault provider implements the same three
methods and is selected with ``FUSEBOX_MASTER_KEY_PROVIDER``.
"""

import base64
import binascii
import logging
import os
from abc import ABC, abstractmethod
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.utils.module_loading import import_string

from vault import conf
from vault.errors import MasterKeyMissing, SecretUnreadable

logger = logging.getLogger(__name__)

KEY_BYTES = 32
NONCE_BYTES = 12


class MasterKeyProvider(ABC):
    """Wraps data keys under a versioned master key that never leaves the provider."""

    @abstractmethod
    def current_version(self) -> str:
        """The master key version new data keys are wrapped with."""

    @abstractmethod
    def wrap(self, data_key: bytes) -> tuple[str, bytes]:
        """Encrypt a data key under the current master key; return (version, blob)."""

    @abstractmethod
    def unwrap(self, version: str, blob: bytes) -> bytes:
        """Decrypt a data key wrapped under master key ``version``."""


def _decode_key(text: str, where: str) -> bytes:
    try:
        key = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise MasterKeyMissing(f"{where} is not valid base64") from None
    if len(key) != KEY_BYTES:
        raise MasterKeyMissing(f"{where} decodes to {len(key)} bytes; a master key is 32")
    return key


def read_key_file(path: Path) -> dict[str, bytes]:
    """Parse ``version:base64`` lines; blank lines and ``#`` comments are skipped."""
    if not path.is_file():
        raise MasterKeyMissing(f"master key file {path} does not exist")

    keys: dict[str, bytes] = {}
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        version, separator, encoded = line.partition(":")
        if not separator or not version.strip().isdigit():
            raise MasterKeyMissing(f"{path} line {number}: expected 'version:base64'")
        keys[version.strip()] = _decode_key(encoded, f"{path} line {number}")
    if not keys:
        raise MasterKeyMissing(f"master key file {path} holds no key")
    return keys


class LocalMasterKeyProvider(MasterKeyProvider):
    """Master keys from FUSEBOX_MASTER_KEY, FUSEBOX_MASTER_KEY_FILE or the development file."""

    def __init__(self, keys: dict[str, bytes] | None = None):
        self._keys = keys if keys is not None else self._load()

    @staticmethod
    def _load() -> dict[str, bytes]:
        key_file = conf.master_key_file()
        if key_file is not None:
            return read_key_file(key_file)
        inline = conf.master_key_inline()
        if inline:
            return {"1": _decode_key(inline, "FUSEBOX_MASTER_KEY")}
        development = conf.development_key_file()
        if conf.debug() and development.is_file():
            return read_key_file(development)
        raise MasterKeyMissing(
            "no master key: set FUSEBOX_MASTER_KEY_FILE (lines 'version:base64') or "
            "FUSEBOX_MASTER_KEY (base64 of 32 random bytes)"
        )

    def current_version(self) -> str:
        return max(self._keys, key=int)

    def _aad(self, version: str) -> bytes:
        return f"fusebox-data-key|master={version}".encode()

    def wrap(self, data_key: bytes) -> tuple[str, bytes]:
        version = self.current_version()
        nonce = os.urandom(NONCE_BYTES)
        blob = nonce + AESGCM(self._keys[version]).encrypt(nonce, data_key, self._aad(version))
        return version, blob

    def unwrap(self, version: str, blob: bytes) -> bytes:
        key = self._keys.get(version)
        if key is None:
            raise MasterKeyMissing(
                f"master key version {version} is no longer configured; put it back in the "
                "key file until `manage.py rotate_master_key` has finished"
            )
        try:
            return AESGCM(key).decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], self._aad(version))
        except InvalidTag:
            logger.error("data key wrapped under master key %s does not unwrap", version)
            raise SecretUnreadable(
                f"a data key does not unwrap with master key version {version}"
            ) from None


def get_provider() -> MasterKeyProvider:
    """The configured provider, built fresh so key file edits take effect at once."""
    provider_class = import_string(conf.provider_path())
    return provider_class()


def new_master_key_line(version: int) -> str:
    return f"{version}:{base64.b64encode(os.urandom(KEY_BYTES)).decode()}"
