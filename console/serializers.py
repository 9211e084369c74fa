"""DEV-API representations of members, invitations, tokens and audit events."""

from rest_framework import serializers

from console import roles
from console.models import ApiToken, AuditEvent, Invitation, Membership


class MembershipSerializer(serializers.ModelSerializer):
    username = serializers.CharField(source="user.username", read_only=True)
    email = serializers.CharField(
        source="user.email", read_only=True, help_text="Empty when the member gave none."
    )

    class Meta:
        model = Membership
        fields = ["id", "username", "email", "role", "created"]
        read_only_fields = ["id", "username", "email", "created"]


class InvitationSerializer(serializers.ModelSerializer):
    status = serializers.CharField(read_only=True)

    class Meta:
        model = Invitation
        fields = ["id", "email", "role", "status", "created", "expires_at"]
        read_only_fields = ["id", "status", "created", "expires_at"]


class ApiTokenSerializer(serializers.ModelSerializer):
    status = serializers.CharField(read_only=True)

    class Meta:
        model = ApiToken
        fields = [
            "id",
            "name",
            "role",
            "prefix",
            "status",
            "created",
            "expires_at",
            "revoked_at",
            "last_used_at",
        ]
        read_only_fields = ["id", "prefix", "status", "created", "revoked_at", "last_used_at"]


class NewApiTokenSerializer(ApiTokenSerializer):
    """Returned once, on creation: the only response that carries the key."""

    key = serializers.CharField(read_only=True)

    class Meta(ApiTokenSerializer.Meta):
        fields = [*ApiTokenSerializer.Meta.fields, "key"]


class RoleField(serializers.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=roles.ROLE_CHOICES, **kwargs)


class AuditEventSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor_label")
    actor_kind = serializers.CharField()

    class Meta:
        model = AuditEvent
        fields = [
            "id",
            "sequence",
            "created",
            "action",
            "actor",
            "actor_kind",
            "source_ip",
            "target_type",
            "target_id",
            "target_label",
            "changes",
            "previous_hash",
            "hash",
        ]
        read_only_fields = fields


class OrganizationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    slug = serializers.CharField()
    role = RoleField(help_text="The caller's role in this organization.")


class ErrorSerializer(serializers.Serializer):
    """The shape of every DEV-API error; reference it in ``extend_schema(responses=...)``."""

    code = serializers.CharField(help_text="Stable machine-readable code, e.g. gate_error.")
    detail = serializers.CharField(help_text="One line saying what is wrong and how to fix it.")
    fields = serializers.DictField(
        required=False, help_text="Per-field messages, present for code 'invalid'."
    )
