"""Console forms: invitations, roles, tokens and the audit filters."""

from django import forms
from django.utils import timezone

from console import roles
from console.models import Membership


class InvitationForm(forms.Form):
    email = forms.EmailField(label="Email address", help_text="The invitation link goes here.")
    role = forms.ChoiceField(label="Role", choices=roles.ROLE_CHOICES)

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        if Membership.objects.filter(user__email__iexact=email).exists():
            raise forms.ValidationError("This person is already a member of the organization.")
        return email


class MembershipRoleForm(forms.Form):
    role = forms.ChoiceField(label="Role", choices=roles.ROLE_CHOICES)


class TokenForm(forms.Form):
    name = forms.CharField(
        label="Name",
        max_length=80,
        help_text="Say where it is used, e.g. “release pipeline”.",
    )
    role = forms.ChoiceField(
        label="Role",
        choices=roles.ROLE_CHOICES,
        initial=roles.DEVOPS,
        help_text="The token can do what a member with this role can do.",
    )
    expires_at = forms.DateField(
        label="Expires on",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Leave empty for a token that does not expire.",
    )

    def clean_expires_at(self):
        value = self.cleaned_data.get("expires_at")
        if value is not None and value <= timezone.now().date():
            raise forms.ValidationError("Pick a date after today.")
        return value


class AuditFilterForm(forms.Form):
    action = forms.CharField(label="Action", required=False, help_text="e.g. token.created")
    actor = forms.CharField(label="Actor", required=False, help_text="User name or token")
    since = forms.DateField(
        label="From", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label="Until", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self):
        data = super().clean()
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            raise forms.ValidationError("“From” must be on or before “Until”.")
        return data


class OrganizationForm(forms.Form):
    name = forms.CharField(label="Organization name", max_length=120)
