"""Console pages. Tenant pages derive from ``console.mixins.TenantViewMixin``."""

from console.mixins import TenantViewMixin

__all__ = ["TenantViewMixin"]
