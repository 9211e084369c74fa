"""DEV-API routes of trust material (mounted under /api/v1/ by console.urls)."""

from rest_framework.routers import SimpleRouter

from trust import api

router = SimpleRouter()
router.register("trust/cas", api.CACertificateViewSet, basename="api-trust-ca")
router.register("trust/identities", api.ClientIdentityViewSet, basename="api-trust-identity")
router.register("trust/keystores", api.SigningKeystoreViewSet, basename="api-trust-keystore")
router.register(
    "trust/fingerprints", api.SigningFingerprintViewSet, basename="api-trust-fingerprint"
)

urlpatterns = router.urls
