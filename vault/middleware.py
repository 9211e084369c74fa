"""A vault that cannot work is the operator's problem: say so with a 503, never a bare 500.

Start-up checks (``vault.E001``) catch a missing master key before the first request, but a
key file can still be removed, truncated or lose a version while the server runs. Console
pages and DEV-API calls (whose exception handler leaves vault errors to this middleware)
that seal or open a secret then answer 503 with a message for the member, and the log says
what the operator has to restore.
"""

from django.http import JsonResponse
from django.shortcuts import render

from vault.errors import VaultError
from vault.unavailable import MEMBER_MESSAGE, log_vault_failure


class VaultUnavailableMiddleware:
    """Turns a `VaultError` escaping a view into a 503 page (JSON under /api/)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, VaultError):
            return None
        log_vault_failure(exception, f"{request.method} {request.path}")
        if request.path.startswith("/api/"):
            body = {"code": "vault_unavailable", "detail": MEMBER_MESSAGE}
            return JsonResponse(body, status=503)
        return render(request, "503.html", {"message": MEMBER_MESSAGE}, status=503)
