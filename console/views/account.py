"""Sign in, sign out, password change, organization switcher and the no-organization page."""

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.views import View
from django.views.decorators.http import require_POST

from console.audit import record_event
from console.middleware import SESSION_ORGANIZATION_KEY, memberships_of


class LoginView(auth_views.LoginView):
    template_name = "console/login.html"
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    pass


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "console/password_change.html"
    success_url = reverse_lazy("dashboard")

    def form_valid(self, form):
        response = super().form_valid(form)
        for membership in memberships_of(self.request.user):
            record_event(
                membership.organization,
                "account.password_changed",
                actor=self.request.user,
                request=self.request,
                target=self.request.user,
            )
        messages.success(self.request, "Your password was changed.")
        return response


@require_POST
def switch_organization(request):
    """Make another of the user's organizations the current one."""
    if not request.user.is_authenticated:
        return redirect("login")

    wanted = request.POST.get("organization", "")
    membership = next(
        (m for m in memberships_of(request.user) if str(m.organization_id) == wanted), None
    )
    if membership is None:
        raise Http404("not a member of that organization")

    request.session[SESSION_ORGANIZATION_KEY] = membership.organization_id
    messages.info(request, f"You are now working in {membership.organization.name}.")
    return redirect("dashboard")


class NoOrganizationView(LoginRequiredMixin, View):
    def get(self, request):
        if request.organization is not None:
            return redirect("dashboard")
        return render(request, "console/no_organization.html")
