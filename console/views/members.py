"""Members and invitations of the current organization."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.shortcuts import get_object_or_404, redirect, render
from django.views import View
from django.views.generic import TemplateView

from console import roles
from console.forms import InvitationForm, MembershipRoleForm
from console.members import (
    MembershipError,
    accept_invitation,
    change_role,
    find_invitation,
    invite,
    remove_member,
    revoke_invitation,
)
from console.mixins import TenantViewMixin
from console.models import Invitation, Membership


class MemberListView(TenantViewMixin, TemplateView):
    template_name = "console/members.html"
    required_permission = "members.view"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["memberships"] = Membership.objects.select_related("user")
        context["invitations"] = [i for i in Invitation.objects.all() if i.is_pending]
        context["invite_form"] = kwargs.get("invite_form") or InvitationForm()
        context["role_choices"] = roles.ROLE_CHOICES
        context["role_summaries"] = [
            (roles.ROLE_LABELS[role], roles.ROLE_SUMMARIES[role]) for role in roles.ROLES
        ]
        context["can_manage"] = roles.has_permission(self.request.role, "members.manage")
        return context


class InviteView(TenantViewMixin, View):
    required_permission = "members.manage"

    def post(self, request):
        form = InvitationForm(request.POST)
        if not form.is_valid():
            view = MemberListView()
            view.setup(request)
            context = view.get_context_data(invite_form=form)
            return render(request, "console/members.html", context, status=400)

        _invitation, link = invite(
            self.organization,
            email=form.cleaned_data["email"],
            role=form.cleaned_data["role"],
            invited_by=request.user,
            request=request,
        )
        messages.success(
            request,
            f"Invitation sent to {form.cleaned_data['email']}. You can also share this "
            f"link: {link}",
        )
        return redirect("members")


class MembershipRoleView(TenantViewMixin, View):
    model = Membership
    required_permission = "members.manage"

    def post(self, request, pk):
        membership = get_object_or_404(self.get_queryset().select_related("user"), pk=pk)
        form = MembershipRoleForm(request.POST)
        if not form.is_valid():
            messages.error(request, "Choose one of the listed roles.")
            return redirect("members")

        try:
            change_role(membership, form.cleaned_data["role"], actor=request.user, request=request)
        except MembershipError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, f"{membership.user} is now {membership.role}.")
        return redirect("members")


class MembershipRemoveView(TenantViewMixin, View):
    model = Membership
    required_permission = "members.manage"

    def post(self, request, pk):
        membership = get_object_or_404(self.get_queryset().select_related("user"), pk=pk)
        try:
            remove_member(membership, actor=request.user, request=request)
        except MembershipError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, f"{membership.user} was removed.")
        return redirect("members")


class InvitationRevokeView(TenantViewMixin, View):
    model = Invitation
    required_permission = "members.manage"

    def post(self, request, pk):
        invitation = get_object_or_404(self.get_queryset(), pk=pk)
        revoke_invitation(invitation, actor=request.user, request=request)
        messages.success(request, f"The invitation for {invitation.email} was revoked.")
        return redirect("members")


class InvitationAcceptView(View):
    """Public link from the email: sign in (or create an account), then join."""

    def get(self, request, key):
        invitation = find_invitation(key)
        if invitation is None:
            return render(request, "console/invitation.html", {"missing": True}, status=404)
        return render(request, "console/invitation.html", {"invitation": invitation})

    def post(self, request, key):
        invitation = find_invitation(key)
        if invitation is None:
            return render(request, "console/invitation.html", {"missing": True}, status=404)

        user = request.user if request.user.is_authenticated else None
        if user is None:
            user, error = _create_invited_user(request, invitation)
            if error:
                return render(
                    request,
                    "console/invitation.html",
                    {"invitation": invitation, "error": error},
                    status=400,
                )

        try:
            accept_invitation(invitation, user, request=request)
        except MembershipError as error:
            messages.error(request, error.message)
            return redirect("login")

        from django.contrib.auth import login

        if not request.user.is_authenticated:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        from console.middleware import SESSION_ORGANIZATION_KEY

        request.session[SESSION_ORGANIZATION_KEY] = invitation.organization_id
        messages.success(request, f"Welcome to {invitation.organization.name}.")
        return redirect("dashboard")


def _create_invited_user(request, invitation):
    """A new account for the invited address, or an error message to show beside the form."""
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    user_model = get_user_model()
    username = request.POST.get("username", "").strip()
    password = request.POST.get("password", "")
    if not username:
        return None, "Choose a user name."
    if user_model.objects.filter(username__iexact=username).exists():
        return None, "That user name is taken; sign in first if it is yours."

    candidate = user_model(username=username, email=invitation.email)
    try:
        validate_password(password, candidate)
    except ValidationError as error:
        return None, " ".join(error.messages)

    candidate.set_password(password)
    candidate.save()
    return candidate, None
