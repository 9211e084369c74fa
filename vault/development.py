"""The development master key that ``make run`` creates on a laptop's first start."""

import logging

from vault import conf
from vault.errors import MasterKeyMissing
from vault.providers import new_master_key_line

logger = logging.getLogger(__name__)


def ensure_development_master_key() -> str:
    """Create ``var/dev-master-key`` when no master key is configured; return where keys are.

    Refused when FUSEBOX_DEBUG is false: production must bring its own master key, and a key
    silently created on a server's disk would be lost with the disk.
    """
    if conf.master_key_file() is not None:
        return f"FUSEBOX_MASTER_KEY_FILE={conf.master_key_file()}"
    if conf.master_key_inline():
        return "FUSEBOX_MASTER_KEY"
    if not conf.debug():
        raise MasterKeyMissing(
            "FUSEBOX_DEBUG is false and no master key is configured: set "
            "FUSEBOX_MASTER_KEY_FILE (or FUSEBOX_MASTER_KEY) before starting Fusebox"
        )

    path = conf.development_key_file()
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600)
        path.write_text(
            "# Development master key for Fusebox; never use this file in production.\n"
            + new_master_key_line(1)
            + "\n"
        )
        logger.warning("created a development master key at %s (keep it out of git)", path)
    return str(path)
