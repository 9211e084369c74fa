"""Organization settings for owners: the display name (the slug stays, links depend on it)."""

from django.contrib import messages
from django.shortcuts import redirect
from django.views.generic import FormView

from console.audit import record_event
from console.forms import OrganizationForm
from console.mixins import TenantViewMixin
from console.models import Organization


class OrganizationSettingsView(TenantViewMixin, FormView):
    template_name = "console/organization.html"
    required_permission = "organization.manage"
    form_class = OrganizationForm

    def get_initial(self):
        return {"name": self.organization.name}

    def form_valid(self, form):
        previous = self.organization.name
        name = form.cleaned_data["name"].strip()
        if name != previous:
            Organization.objects.filter(pk=self.organization.pk).update(name=name)
            record_event(
                self.organization,
                "organization.renamed",
                actor=self.request.user,
                request=self.request,
                target=self.organization,
                changes={"from": previous, "to": name},
            )
            messages.success(self.request, f"The organization is now called {name}.")
        return redirect("organization-settings")
