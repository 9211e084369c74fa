"""Console routes of apps, builds and webhooks (mounted at the site root)."""

from django.urls import path

from builds import downloads, views

urlpatterns = [
    path("apps/", views.AppListView.as_view(), name="app-list"),
    path("apps/upload/", views.AppUploadView.as_view(), name="app-upload"),
    path("apps/<uuid:pk>/", views.AppDetailView.as_view(), name="app-detail"),
    path("builds/", views.BuildListView.as_view(), name="build-list"),
    path("builds/start/", views.BuildStartView.as_view(), name="build-start"),
    path("builds/<uuid:pk>/", views.BuildDetailView.as_view(), name="build-detail"),
    path(
        "builds/<uuid:pk>/progress/",
        views.BuildDetailView.as_view(),
        {"partial": True},
        name="build-progress",
    ),
    path(
        "builds/<uuid:pk>/cancel/",
        views.BuildChangeView.as_view(change="cancel"),
        name="build-cancel",
    ),
    path(
        "builds/<uuid:pk>/retry/",
        views.BuildChangeView.as_view(change="retry"),
        name="build-retry",
    ),
    path("builds/<uuid:pk>/download/", views.BuildDownloadView.as_view(), name="build-download"),
    path(
        "builds/<uuid:pk>/sign-script/",
        views.BuildDownloadView.as_view(kind=downloads.SIGN_SCRIPT),
        name="build-sign-script",
    ),
    path("webhooks/", views.WebhookListView.as_view(), name="webhook-list"),
    path("webhooks/<uuid:pk>/delete/", views.WebhookDeleteView.as_view(), name="webhook-delete"),
    path(
        "webhooks/deliveries/<uuid:pk>/redeliver/",
        views.WebhookRedeliverView.as_view(),
        name="webhook-redeliver",
    ),
]
