"""DEV-API resources for owners and auditors: members, invitations, tokens, audit events."""

from django.http import Http404
from rest_framework import mixins, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet

from console.api import TenantReadOnlyViewSet, TenantViewSetMixin, request_actor
from console.audit import record_event
from console.members import MembershipError, change_role, invite, remove_member
from console.members import revoke_invitation as revoke_invitation_of
from console.models import ApiToken, AuditEvent, Invitation, Membership, Organization
from console.serializers import (
    ApiTokenSerializer,
    AuditEventSerializer,
    InvitationSerializer,
    MembershipSerializer,
    NewApiTokenSerializer,
    OrganizationSerializer,
)
from console.tenancy import current_organization
from console.tokens import create_token, revoke_token


def _membership_error(error: MembershipError):
    return ValidationError({"detail": error.message}, code=error.code)


class MembershipViewSet(
    TenantViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    GenericViewSet,
):
    """Members of the token's organization; owners change roles and remove members."""

    queryset = Membership.objects.select_related("user")
    serializer_class = MembershipSerializer
    http_method_names = ["get", "patch", "delete", "head", "options"]
    required_permissions = {
        "list": "members.view",
        "retrieve": "members.view",
        "partial_update": "members.manage",
        "destroy": "members.manage",
    }

    def perform_update(self, serializer):
        role = serializer.validated_data.get("role", serializer.instance.role)
        try:
            change_role(
                serializer.instance, role, actor=request_actor(self.request), request=self.request
            )
        except MembershipError as error:
            raise _membership_error(error) from error

    def perform_destroy(self, instance):
        try:
            remove_member(instance, actor=request_actor(self.request), request=self.request)
        except MembershipError as error:
            raise _membership_error(error) from error


class InvitationViewSet(
    TenantViewSetMixin,
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    GenericViewSet,
):
    """Invitations; creating one emails the link, deleting one revokes it."""

    queryset = Invitation.objects.all()
    serializer_class = InvitationSerializer
    required_permissions = {
        "list": "members.view",
        "retrieve": "members.view",
        "create": "members.manage",
        "destroy": "members.manage",
    }

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        email = serializer.validated_data["email"].strip().lower()
        if Membership.objects.filter(user__email__iexact=email).exists():
            raise ValidationError({"email": ["This person is already a member."]})

        invitation, link = invite(
            current_organization(),
            email=email,
            role=serializer.validated_data["role"],
            invited_by=request_actor(request),
            request=request,
        )
        body = InvitationSerializer(invitation).data | {"link": link}
        return Response(body, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance):
        if not instance.is_pending:
            raise ValidationError({"detail": f"The invitation is already {instance.status}."})
        revoke_invitation_of(instance, actor=request_actor(self.request), request=self.request)


class ApiTokenViewSet(
    TenantViewSetMixin,
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    GenericViewSet,
):
    """DEV-API tokens; the key appears only in the creation response; delete revokes."""

    queryset = ApiToken.objects.all()
    serializer_class = ApiTokenSerializer
    required_permissions = {
        "list": "tokens.manage",
        "retrieve": "tokens.manage",
        "create": "tokens.manage",
        "destroy": "tokens.manage",
    }

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        token, key = create_token(
            current_organization(),
            name=serializer.validated_data["name"],
            role=serializer.validated_data["role"],
            created_by=request.user if request.user.pk else None,
            expires_at=serializer.validated_data.get("expires_at"),
        )
        record_event(
            current_organization(),
            "token.created",
            actor=request_actor(request),
            request=request,
            target=token,
            changes={"name": token.name, "role": token.role, "expires_at": token.expires_at},
        )
        token.key = key
        return Response(NewApiTokenSerializer(token).data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance):
        revoke_token(instance, actor=request_actor(self.request), request=self.request)


class AuditEventViewSet(TenantReadOnlyViewSet):
    """The organization's audit trail, newest first; filter with ?action= and ?actor=."""

    queryset = AuditEvent.objects.all()
    serializer_class = AuditEventSerializer
    required_permissions = {"list": "audit.view", "retrieve": "audit.view"}

    def get_queryset(self):
        events = super().get_queryset().order_by("-sequence")
        action = self.request.query_params.get("action")
        actor = self.request.query_params.get("actor")
        if action:
            events = events.filter(action__icontains=action)
        if actor:
            events = events.filter(actor_label__icontains=actor)
        return events


class OrganizationView(TenantViewSetMixin, GenericViewSet):
    """The caller's organization and role (what a DEV-API client checks first)."""

    required_permissions = {"retrieve": "dashboard.view"}
    serializer_class = OrganizationSerializer

    def retrieve(self, request, *args, **kwargs):
        scoped = current_organization()
        if scoped is None:
            raise Http404
        # Read afresh: a token's organization may come from the token cache, seconds old.
        organization = Organization.objects.get(pk=scoped.pk)
        body = {
            "id": organization.pk,
            "name": organization.name,
            "slug": organization.slug,
            "role": request._request.role,
        }
        return Response(OrganizationSerializer(body).data)
