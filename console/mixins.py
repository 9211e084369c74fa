"""``TenantViewMixin``: the one base of console pages that show or change tenant data."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.shortcuts import redirect

from console import roles
from console.tenancy import TenantModel, current_organization


class TenantViewMixin(LoginRequiredMixin):
    """Login required, an organization chosen, and the role's ``required_permission``.

    ``get_queryset`` comes from the model's scoped manager, so ``get_object`` answers 404 for
    another organization's object. Views that change data set ``required_permission`` to
    the ``.manage`` permission; reading views to the ``.view`` one.
    """

    required_permission: str | None = None

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if current_organization() is None:
            return redirect("no-organization")

        if self.required_permission is None:
            raise ImproperlyConfigured(f"{type(self).__name__} must set required_permission")
        if not roles.has_permission(request.role, self.required_permission):
            raise PermissionDenied(f"needs {self.required_permission}")
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        if not issubclass(self.model, TenantModel):
            raise ImproperlyConfigured(f"{type(self).__name__}.model must be a TenantModel")
        return self.model.objects.all()

    @property
    def organization(self):
        return current_organization()
