"""DEV-API tokens of the current organization: create (key shown once) and revoke."""

from datetime import datetime, time

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.views import View
from django.views.generic import FormView

from console.audit import record_event
from console.forms import TokenForm
from console.mixins import TenantViewMixin
from console.models import ApiToken
from console.tokens import create_token, revoke_token


class TokenListView(TenantViewMixin, FormView):
    template_name = "console/tokens.html"
    required_permission = "tokens.manage"
    form_class = TokenForm

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["tokens"] = ApiToken.objects.select_related("created_by")
        context["new_key"] = self.request.session.pop("fusebox_new_token_key", None)
        return context

    def form_valid(self, form):
        expires_on = form.cleaned_data["expires_at"]
        expires_at = (
            timezone.make_aware(datetime.combine(expires_on, time.min)) if expires_on else None
        )
        token, key = create_token(
            self.organization,
            name=form.cleaned_data["name"],
            role=form.cleaned_data["role"],
            created_by=self.request.user,
            expires_at=expires_at,
        )
        record_event(
            self.organization,
            "token.created",
            actor=self.request.user,
            request=self.request,
            target=token,
            changes={"name": token.name, "role": token.role, "expires_at": expires_at},
        )
        # Kept in the session only until the next page shows it, then gone for good.
        self.request.session["fusebox_new_token_key"] = key
        messages.success(self.request, f"Token “{token.name}” created. Copy it now.")
        return redirect("tokens")


class TokenRevokeView(TenantViewMixin, View):
    model = ApiToken
    required_permission = "tokens.manage"

    def post(self, request, pk):
        token = get_object_or_404(self.get_queryset(), pk=pk)
        revoke_token(token, actor=request.user, request=request)
        messages.success(request, f"Token “{token.name}” was revoked.")
        return redirect("tokens")
