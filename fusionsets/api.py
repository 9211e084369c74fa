"""DEV-API of Fusion Sets: CRUD with revisions, freeze, clone, archive, export and import.

Every write goes through ``fusionsets.services`` (validation, revision, audit); refused input
answers 422 with a stable code (``settings_invalid``, ``fusionset_frozen``, ...).
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet

from console.api import TenantViewSetMixin, request_actor
from fusionsets import exchange, serializers, services
from fusionsets.models import FusionSet, FusionSetRevision
from fusionsets.planning import plan_for_build
from fusionsets.readiness import readiness
from fusionsets.summary import summarize

REFUSED = OpenApiResponse(
    serializers.FusionSetErrorSerializer,
    description="Refused: `settings_invalid`, `settings_unknown_key`, `pin_host_invalid`, "
    "`trust_material_not_found`, `identity_not_from_ca`, `fusionset_frozen`, "
    "`fusionset_archived`, `import_invalid`, ... with a message saying what to fix.",
)
VIEW = "fusionsets.view"
MANAGE = "fusionsets.manage"


@extend_schema_view(
    list=extend_schema(summary="List Fusion Sets (add ?archived=1 to include archived ones)"),
    retrieve=extend_schema(summary="A Fusion Set with its current settings"),
    create=extend_schema(
        summary="Create a Fusion Set (revision 1)",
        request=serializers.FusionSetWriteSerializer,
        responses={201: serializers.FusionSetSerializer, 422: REFUSED},
    ),
    update=extend_schema(
        summary="Change a Fusion Set (a new revision when anything changed)",
        request=serializers.FusionSetWriteSerializer,
        responses={200: serializers.FusionSetSerializer, 422: REFUSED},
    ),
    partial_update=extend_schema(
        summary="Change some fields of a Fusion Set (a new revision when anything changed)",
        request=serializers.FusionSetWriteSerializer,
        responses={200: serializers.FusionSetSerializer, 422: REFUSED},
    ),
)
class FusionSetViewSet(
    TenantViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    GenericViewSet,
):
    """Fusion Sets of the token's organization; the ``id`` is what builds pass."""

    queryset = FusionSet.objects.select_related("current_revision")
    serializer_class = serializers.FusionSetSerializer
    lookup_value_regex = "[0-9a-fA-F-]{36}"
    required_permissions = {
        "list": VIEW,
        "retrieve": VIEW,
        "revisions": VIEW,
        "readiness": VIEW,
        "summary": VIEW,
        "export": VIEW,
        "plan": VIEW,
        "create": MANAGE,
        "update": MANAGE,
        "partial_update": MANAGE,
        "freeze": MANAGE,
        "unfreeze": MANAGE,
        "clone": MANAGE,
        "archive": MANAGE,
        "import_document": MANAGE,
    }

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.action == "list" and not self.request.query_params.get("archived"):
            queryset = queryset.filter(archived_at__isnull=True)
        return queryset

    def actor(self) -> dict:
        return {"actor": request_actor(self.request), "request": self.request}

    def _answer(self, fusion_set, code=status.HTTP_200_OK) -> Response:
        fusion_set = FusionSet.objects.select_related("current_revision").get(pk=fusion_set.pk)
        return Response(self.get_serializer(fusion_set).data, status=code)

    def create(self, request, *args, **kwargs):
        given = serializers.FusionSetWriteSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        fusion_set = services.create_fusion_set(
            name=data.get("name", ""),
            description=data.get("description", ""),
            settings=_merged(None, data.get("settings")),
            comment=data.get("comment", ""),
            **self.actor(),
        )
        return self._answer(fusion_set, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        fusion_set = self.get_object()
        given = serializers.FusionSetWriteSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        services.update_fusion_set(
            fusion_set,
            name=data.get("name"),
            description=data.get("description"),
            settings=_merged(fusion_set.settings, data.get("settings")),
            comment=data.get("comment", ""),
            **self.actor(),
        )
        return self._answer(fusion_set)

    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, **kwargs)

    def _state_change(self, change):
        fusion_set = self.get_object()
        change(fusion_set, **self.actor())
        return self._answer(fusion_set)

    @extend_schema(request=None, responses={200: serializers.FusionSetSerializer, 422: REFUSED})
    @action(detail=True, methods=["post"])
    def freeze(self, request, pk=None):
        """Refuse every change until a security member unfreezes the set."""
        return self._state_change(services.freeze)

    @extend_schema(request=None, responses={200: serializers.FusionSetSerializer})
    @action(detail=True, methods=["post"])
    def unfreeze(self, request, pk=None):
        return self._state_change(services.unfreeze)

    @extend_schema(request=None, responses={200: serializers.FusionSetSerializer})
    @action(detail=True, methods=["post"])
    def archive(self, request, pk=None):
        """Retire the set: still readable, never changed or built again."""
        return self._state_change(services.archive)

    @extend_schema(
        request=serializers.CloneSerializer,
        responses={201: serializers.FusionSetSerializer, 422: REFUSED},
    )
    @action(detail=True, methods=["post"])
    def clone(self, request, pk=None):
        """A new set (new ID, fresh history) with the same settings."""
        fusion_set = self.get_object()
        given = serializers.CloneSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        copy = services.clone(
            fusion_set, name=given.validated_data.get("name", ""), **self.actor()
        )
        return self._answer(copy, status.HTTP_201_CREATED)

    @extend_schema(responses={200: serializers.RevisionSerializer(many=True)})
    @action(detail=True, methods=["get"])
    def revisions(self, request, pk=None):
        """Every revision, newest first, with its field-level diff, a page at a time."""
        fusion_set = self.get_object()
        revisions = FusionSetRevision.objects.filter(fusion_set=fusion_set).order_by("-number")
        page = self.paginate_queryset(revisions)
        return self.get_paginated_response(serializers.RevisionSerializer(page, many=True).data)

    @extend_schema(responses={200: serializers.ReadinessSerializer})
    @action(detail=True, methods=["get"])
    def readiness(self, request, pk=None):
        """Whether a build can start now and, if not, each reason in plain words."""
        fusion_set = self.get_object()
        reasons = readiness(fusion_set)
        return Response(
            {"ready": not reasons, "revision": fusion_set.revision_number, "reasons": reasons}
        )

    @extend_schema(responses={200: serializers.SummarySerializer})
    @action(detail=True, methods=["get"])
    def summary(self, request, pk=None):
        """Everything a build of this set applies (the console's detail page)."""
        return Response(summarize(self.get_object()))

    @extend_schema(
        request=serializers.PlanRequestSerializer,
        responses={200: OpenApiTypes.OBJECT, 422: REFUSED},
    )
    @action(detail=True, methods=["post"])
    def plan(self, request, pk=None):
        """The build plan a build would apply now with these overrides; nothing starts.

        Pipelines use it to check overrides before a build: refusals carry the same codes
        (`fusionset_not_ready` with each reason, `override_not_allowed`, `override_invalid`).
        """
        fusion_set = self.get_object()
        given = serializers.PlanRequestSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        overrides = given.validated_data.get("overrides") or {}
        return Response(plan_for_build(fusion_set, overrides).to_dict())

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    @action(detail=True, methods=["get"])
    def export(self, request, pk=None):
        """The set as a versioned JSON document; trust material by name and fingerprint."""
        return Response(exchange.export_fusion_set(self.get_object()))

    @extend_schema(
        request=OpenApiTypes.OBJECT,
        responses={201: serializers.FusionSetSerializer, 422: REFUSED},
        summary="Import an exported Fusion Set (?name= renames it)",
    )
    @action(detail=False, methods=["post"], url_path="import", url_name="import")
    def import_document(self, request):
        fusion_set = exchange.import_fusion_set(
            request.data, name=request.query_params.get("name", ""), **self.actor()
        )
        return self._answer(fusion_set, status.HTTP_201_CREATED)


def _merged(current: dict | None, given) -> dict | None:
    """Top-level settings keys given replace the set's; others are kept."""
    if given is None:
        return current
    if not isinstance(given, dict):
        return given  # validate_document refuses it with a clear message
    return {**(current or {}), **given}
