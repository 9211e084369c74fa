"""What is said when the vault cannot work: a message for the member, a log line for on-call.

Shared by the web (``vault.middleware``) and the build pipeline, which both meet a master key
that was removed, truncated or lost a version while the process runs. The details (paths,
versions) go to the log only; the member's message names none of them.
"""

import logging

from vault.errors import MasterKeyMissing, VaultError

logger = logging.getLogger(__name__)

MEMBER_MESSAGE = (
    "The server cannot read its encryption keys right now, so nothing secret can be stored "
    "or opened. Your data is unchanged; try again later or tell your administrator."
)


def log_vault_failure(error: VaultError, where: str) -> None:
    """One error line telling on-call what to fix; the error text never holds key material."""
    if isinstance(error, MasterKeyMissing):
        advice = "restore FUSEBOX_MASTER_KEY_FILE / FUSEBOX_MASTER_KEY (every version in use)"
    else:
        advice = "a sealed secret does not open with the configured keys; check key versions"
    logger.error("vault unavailable while serving %s: %s; %s", where, error.message, advice)
