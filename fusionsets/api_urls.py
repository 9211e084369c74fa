"""DEV-API routes of Fusion Sets (mounted under /api/v1/ by console.urls)."""

from rest_framework.routers import SimpleRouter

from fusionsets import api

router = SimpleRouter()
router.register("fusion-sets", api.FusionSetViewSet, basename="api-fusionset")

urlpatterns = router.urls
