"""DEV-API shapes of Fusion Sets, their revisions, readiness and summaries."""

from rest_framework import serializers

from fusionsets.models import FusionSet, FusionSetRevision


class FusionSetSerializer(serializers.ModelSerializer):
    """A Fusion Set as the DEV-API returns it; ``id`` is the ID builds pass."""

    revision = serializers.IntegerField(source="revision_number", read_only=True)
    revision_id = serializers.UUIDField(source="current_revision_id", read_only=True)
    frozen = serializers.BooleanField(source="is_frozen", read_only=True)
    archived = serializers.BooleanField(source="is_archived", read_only=True)
    settings = serializers.JSONField(read_only=True)

    class Meta:
        model = FusionSet
        fields = [
            "id",
            "name",
            "description",
            "platform",
            "settings",
            "revision",
            "revision_id",
            "frozen",
            "frozen_at",
            "archived",
            "archived_at",
            "cloned_from",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class FusionSetWriteSerializer(serializers.Serializer):
    """Create or change a set. ``settings`` keys given replace the same keys of the set
    (``protections`` and/or ``signing``); the result is validated like the console form."""

    name = serializers.CharField(max_length=120, required=False)
    description = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    settings = serializers.JSONField(required=False)
    comment = serializers.CharField(max_length=500, required=False, allow_blank=True)


class CloneSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=120, required=False, allow_blank=True)


class RevisionSerializer(serializers.ModelSerializer):
    class Meta:
        model = FusionSetRevision
        fields = ["id", "number", "settings", "diff", "comment", "created_by_label", "created_at"]
        read_only_fields = fields


class ReadinessSerializer(serializers.Serializer):
    ready = serializers.BooleanField()
    revision = serializers.IntegerField()
    reasons = serializers.ListField(child=serializers.CharField())


class SummarySerializer(serializers.Serializer):
    """Everything a build applies (see fusionsets.summary.summarize for the keys)."""

    id = serializers.UUIDField()
    name = serializers.CharField()
    revision = serializers.IntegerField()
    ready = serializers.BooleanField()
    reasons = serializers.ListField(child=serializers.CharField())
    protections = serializers.ListField(child=serializers.DictField())
    mtls = serializers.DictField()
    signing = serializers.DictField()


class PlanRequestSerializer(serializers.Serializer):
    """Per-build overrides: ``signing`` (method, keystore_id, fingerprint_ids, fingerprints,
    google_play_fingerprint) and ``threat_events`` (mode, message); nothing else."""

    overrides = serializers.JSONField(required=False)


class FusionSetErrorSerializer(serializers.Serializer):
    """The DEV-API error shape for refused Fusion Set requests."""

    code = serializers.CharField()
    detail = serializers.CharField()
