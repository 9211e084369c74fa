"""403, 404 and 500 pages in the product's look (JSON for the DEV-API)."""

from django.http import HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string


def _wants_json(request) -> bool:
    return request.path.startswith("/api/")


def forbidden(request, exception=None):
    if _wants_json(request):
        return JsonResponse({"code": "permission_denied", "detail": "Not allowed."}, status=403)
    return render(request, "403.html", status=403)


def not_found(request, exception=None):
    if _wants_json(request):
        return JsonResponse({"code": "not_found", "detail": "Not found."}, status=404)
    return render(request, "404.html", status=404)


def server_error(request):
    if _wants_json(request):
        return JsonResponse(
            {"code": "server_error", "detail": "The server could not complete the request."},
            status=500,
        )
    # Rendered without the request: whatever failed may fail again in a context processor.
    return HttpResponseServerError(render_to_string("500.html"))
