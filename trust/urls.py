"""Console routes of trust material (mounted at the root by console.urls)."""

from django.urls import path

from trust import views
from trust.models import CACertificate, ClientIdentity, SigningFingerprint, SigningKeystore

urlpatterns = [
    path("trust/", views.TrustOverviewView.as_view(), name="trust"),
    path("trust/cas/new/", views.CACreateView.as_view(), name="trust-ca-create"),
    path("trust/cas/<uuid:pk>/", views.CADetailView.as_view(), name="trust-ca-detail"),
    path(
        "trust/cas/<uuid:pk>/issue/",
        views.IdentityIssueView.as_view(),
        name="trust-identity-issue",
    ),
    path(
        "trust/cas/<uuid:pk>/delete/",
        views.MaterialDeleteView.as_view(model=CACertificate),
        name="trust-ca-delete",
    ),
    path(
        "trust/identities/new/",
        views.IdentityCreateView.as_view(),
        name="trust-identity-create",
    ),
    path(
        "trust/identities/<uuid:pk>/",
        views.IdentityDetailView.as_view(),
        name="trust-identity-detail",
    ),
    path(
        "trust/identities/<uuid:pk>/replace/",
        views.IdentityReplaceView.as_view(),
        name="trust-identity-replace",
    ),
    path(
        "trust/identities/<uuid:pk>/delete/",
        views.MaterialDeleteView.as_view(model=ClientIdentity),
        name="trust-identity-delete",
    ),
    path(
        "trust/keystores/new/",
        views.KeystoreCreateView.as_view(),
        name="trust-keystore-create",
    ),
    path(
        "trust/keystores/<uuid:pk>/",
        views.KeystoreDetailView.as_view(),
        name="trust-keystore-detail",
    ),
    path(
        "trust/keystores/<uuid:pk>/delete/",
        views.MaterialDeleteView.as_view(model=SigningKeystore),
        name="trust-keystore-delete",
    ),
    path(
        "trust/fingerprints/new/",
        views.FingerprintCreateView.as_view(),
        name="trust-fingerprint-create",
    ),
    path(
        "trust/fingerprints/<uuid:pk>/",
        views.FingerprintDetailView.as_view(),
        name="trust-fingerprint-detail",
    ),
    path(
        "trust/fingerprints/<uuid:pk>/delete/",
        views.MaterialDeleteView.as_view(model=SigningFingerprint),
        name="trust-fingerprint-delete",
    ),
]
