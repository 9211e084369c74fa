"""A vault that cannot work is the operator's problem: say so with a 503, never a bare 500.

Start-up checks (``vault.E001``) catch a missing master key before the first request, but a
key file can still be removed, truncated or lose a version while the server runs. Pages and
API calls that seal or open a secret then answer 503 with a message for the member and log
what the operator has to restore; the details (paths, versions) stay in the log.
"""

import logging

from django.http import JsonResponse
from django.shortcuts import render

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


def unavailable_body() -> dict:
    return {"code": "vault_unavailable", "detail": MEMBER_MESSAGE}


class VaultUnavailableMiddleware:
    """Turns a `VaultError` escaping a console view into a 503 page (JSON under /api/)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, VaultError):
            return None
        log_vault_failure(exception, f"{request.method} {request.path}")
        if request.path.startswith("/api/"):
            return JsonResponse(unavailable_body(), status=503)
        return render(request, "503.html", {"message": MEMBER_MESSAGE}, status=503)
