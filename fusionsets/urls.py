"""Console routes of Fusion Sets (mounted at the site root by console/urls.py)."""

from django.urls import path

from fusionsets import views

urlpatterns = [
    path("fusion-sets/", views.FusionSetListView.as_view(), name="fusionset-list"),
    path("fusion-sets/new/", views.FusionSetCreateView.as_view(), name="fusionset-create"),
    path("fusion-sets/import/", views.FusionSetImportView.as_view(), name="fusionset-import"),
    path(
        "fusion-sets/validate-hosts/",
        views.ValidateHostsView.as_view(),
        name="fusionset-validate-hosts",
    ),
    path("fusion-sets/<uuid:pk>/", views.FusionSetDetailView.as_view(), name="fusionset-detail"),
    path("fusion-sets/<uuid:pk>/edit/", views.FusionSetEditView.as_view(), name="fusionset-edit"),
    path(
        "fusion-sets/<uuid:pk>/history/",
        views.FusionSetHistoryView.as_view(),
        name="fusionset-history",
    ),
    path("fusion-sets/<uuid:pk>/diff/", views.FusionSetDiffView.as_view(), name="fusionset-diff"),
    path(
        "fusion-sets/<uuid:pk>/code-samples/",
        views.FusionSetSamplesView.as_view(),
        name="fusionset-samples",
    ),
    path(
        "fusion-sets/<uuid:pk>/export/",
        views.FusionSetExportView.as_view(),
        name="fusionset-export",
    ),
    *[
        path(
            f"fusion-sets/<uuid:pk>/{action}/",
            views.FusionSetActionView.as_view(action=action),
            name=f"fusionset-{action}",
        )
        for action in ("freeze", "unfreeze", "clone", "archive")
    ],
]
