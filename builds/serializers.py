"""DEV-API shapes of apps, builds (tasks), their status and webhooks."""

from rest_framework import serializers

from builds.models import App, Build, BuildMessage, Webhook, WebhookDelivery


class BuildErrorSerializer(serializers.Serializer):
    """An error answer: a stable code and a message saying what to fix."""

    code = serializers.CharField()
    detail = serializers.CharField()


class AppSerializer(serializers.ModelSerializer):
    class Meta:
        model = App
        fields = [
            "id",
            "file_name",
            "size",
            "sha256",
            "package",
            "version_name",
            "version_code",
            "analysis",
            "uploaded_at",
        ]


class UploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="The APK, as multipart form data.")


class UploadResultSerializer(AppSerializer):
    duplicate = serializers.BooleanField(read_only=True)

    class Meta(AppSerializer.Meta):
        fields = [*AppSerializer.Meta.fields, "duplicate"]


class ChecksumSerializer(serializers.Serializer):
    sha256 = serializers.RegexField(r"^[0-9a-fA-F]{64}$", help_text="SHA-256 of the file, hex.")


class ChecksumResultSerializer(serializers.Serializer):
    exists = serializers.BooleanField()
    app_id = serializers.UUIDField(allow_null=True)


class TaskCreateSerializer(serializers.Serializer):
    ACTIONS = ["fuse", "sign", "seal", "sign_script"]

    action = serializers.ChoiceField(choices=ACTIONS)
    app_id = serializers.UUIDField(required=False)
    fusion_set_id = serializers.UUIDField(required=False)
    parent_task_id = serializers.UUIDField(required=False)
    overrides = serializers.JSONField(required=False, default=dict)
    signing_fingerprint = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=120,
        help_text="SHA-256 of the certificate that will sign (seal, sign_script).",
    )
    keystore_id = serializers.UUIDField(required=False, help_text="Keystore for `sign`.")

    def validate(self, data):
        if data["action"] == "fuse":
            missing = [key for key in ("app_id", "fusion_set_id") if not data.get(key)]
            if missing:
                raise serializers.ValidationError({key: "required for fuse" for key in missing})
        elif not data.get("parent_task_id"):
            raise serializers.ValidationError({"parent_task_id": "required for signing actions"})
        if not isinstance(data.get("overrides"), dict):
            raise serializers.ValidationError({"overrides": "must be a JSON object"})
        return data


class BuildSerializer(serializers.ModelSerializer):
    task_id = serializers.UUIDField(source="id", read_only=True)
    app_id = serializers.UUIDField(read_only=True)
    fusion_set_id = serializers.UUIDField(read_only=True)
    parent_task_id = serializers.UUIDField(source="parent_id", read_only=True, allow_null=True)
    progress = serializers.IntegerField(source="progress_percent", read_only=True)

    class Meta:
        model = Build
        fields = [
            "id",
            "task_id",
            "app_id",
            "fusion_set_id",
            "parent_task_id",
            "status",
            "progress",
            "reason_code",
            "reason_message",
            "attempt",
            "max_attempts",
            "signing_method",
            "signing_fingerprint",
            "signer_sha256",
            "signature_schemes",
            "output_sha256",
            "output_size",
            "plan",
            "overrides",
            "timings",
            "created_at",
            "started_at",
            "finished_at",
            "requested_by_label",
        ]


class MessageSerializer(serializers.ModelSerializer):
    class Meta:
        model = BuildMessage
        fields = ["at", "step", "level", "text"]


class StatusSerializer(serializers.Serializer):
    task_id = serializers.UUIDField()
    status = serializers.CharField()
    progress = serializers.IntegerField()
    reason_code = serializers.CharField(allow_blank=True)
    reason_message = serializers.CharField(allow_blank=True)
    messages = MessageSerializer(many=True)
    lastDate = serializers.DateTimeField(allow_null=True)


class WebhookSerializer(serializers.ModelSerializer):
    class Meta:
        model = Webhook
        fields = ["id", "url", "is_active", "created_at"]
        read_only_fields = ["id", "is_active", "created_at"]


class WebhookCreatedSerializer(WebhookSerializer):
    secret = serializers.CharField(read_only=True, help_text="Shown once; keep it.")
    warning = serializers.CharField(
        read_only=True,
        allow_null=True,
        help_text="Set when the URL was accepted but deliveries may fail (host not resolving).",
    )

    class Meta(WebhookSerializer.Meta):
        fields = [*WebhookSerializer.Meta.fields, "secret", "warning"]


class DeliverySerializer(serializers.ModelSerializer):
    build_id = serializers.UUIDField(read_only=True)

    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "build_id",
            "event",
            "status",
            "attempts",
            "response_status",
            "last_error",
            "created_at",
            "next_attempt_at",
            "delivered_at",
        ]
