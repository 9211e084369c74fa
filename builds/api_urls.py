"""DEV-API routes of builds (mounted under /api/v1/ by console.urls)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from builds import api

# Optional trailing slash: CI clients call `/api/v1/tasks` and `/api/v1/tasks/`.
router = SimpleRouter()
router.trailing_slash = "/?"
router.register("apps", api.AppViewSet, basename="api-app")
router.register("tasks", api.TaskViewSet, basename="api-task")
router.register("webhooks", api.WebhookViewSet, basename="api-webhook")

urlpatterns = [
    path("upload", api.UploadView.as_view(), name="api-upload"),
    *router.urls,
]
