"""DEV-API viewsets for trust material; uploads run the same services as the console."""

from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet

from console.api import TenantViewSetMixin, request_actor
from trust import serializers, services
from trust.errors import TRUST_ERROR_CODES, TrustError
from trust.models import CACertificate, ClientIdentity, SigningFingerprint, SigningKeystore
from trust.validation import MAX_CA_UPLOAD_BYTES, MAX_P12_BYTES

UNPROCESSABLE = OpenApiResponse(
    serializers.TrustErrorSerializer,
    description="Refused trust material. Codes: "
    + "; ".join(f"`{code}`: {meaning}" for code, meaning in TRUST_ERROR_CODES.items()),
)
READ = {"list": "trust.view", "retrieve": "trust.view"}
WRITE = {"create": "trust.manage", "destroy": "trust.manage"}


def _read(uploaded, limit: int) -> bytes:
    return uploaded.read(limit + 1) if uploaded is not None else b""


class TrustViewSet(
    TenantViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    GenericViewSet,
):
    """List, read and delete; ``create`` validates through `trust.services`."""

    parser_classes = [MultiPartParser, FormParser, JSONParser]
    required_permissions = {**READ, **WRITE}
    upload_serializer_class = None

    def actor(self) -> dict:
        return {"actor": request_actor(self.request), "request": self.request}

    def create(self, request, *args, **kwargs):
        upload = self.upload_serializer_class(data=request.data)
        upload.is_valid(raise_exception=True)
        item = self.perform_upload(upload.validated_data)
        return Response(self.get_serializer(item).data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance):
        services.delete_material(instance, **self.actor())


def _schema(upload, output):
    return extend_schema_view(
        create=extend_schema(request=upload, responses={201: output, 422: UNPROCESSABLE}),
        destroy=extend_schema(responses={204: None, 422: UNPROCESSABLE}),
    )


@_schema(serializers.CACertificateUploadSerializer, serializers.CACertificateSerializer)
class CACertificateViewSet(TrustViewSet):
    """CA certificates the organization's backend trusts."""

    queryset = CACertificate.objects.all()
    serializer_class = serializers.CACertificateSerializer
    upload_serializer_class = serializers.CACertificateUploadSerializer
    required_permissions = {**READ, **WRITE, "issue": "trust.manage"}

    def perform_upload(self, data):
        return services.create_ca(
            data["name"],
            _read(data["file"], MAX_CA_UPLOAD_BYTES),
            private_key=_read(data.get("private_key"), MAX_CA_UPLOAD_BYTES) or None,
            private_key_password=data.get("private_key_password") or "",
            **self.actor(),
        )

    @extend_schema(
        request=serializers.IssueIdentitySerializer,
        responses={201: serializers.ClientIdentitySerializer, 422: UNPROCESSABLE},
    )
    @action(detail=True, methods=["post"], parser_classes=[JSONParser, FormParser])
    def issue(self, request, pk=None):
        """Generate a key and issue a client identity from this CA's uploaded private key."""
        ca = self.get_object()
        upload = serializers.IssueIdentitySerializer(data=request.data)
        upload.is_valid(raise_exception=True)
        data = upload.validated_data
        identity = services.issue_identity(
            ca,
            data.get("name") or "",
            data["common_name"],
            data["validity_days"],
            data["key_choice"],
            **self.actor(),
        )
        output = serializers.ClientIdentitySerializer(
            identity, context=self.get_serializer_context()
        )
        return Response(output.data, status=status.HTTP_201_CREATED)


@_schema(serializers.ClientIdentityUploadSerializer, serializers.ClientIdentitySerializer)
class ClientIdentityViewSet(TrustViewSet):
    """Client identities (certificate and sealed private key) the fused app presents."""

    queryset = ClientIdentity.objects.select_related("ca")
    serializer_class = serializers.ClientIdentitySerializer
    upload_serializer_class = serializers.ClientIdentityUploadSerializer
    required_permissions = {**READ, **WRITE, "replace": "trust.manage"}

    def perform_upload(self, data):
        ca = None
        if data.get("ca"):
            ca = CACertificate.objects.filter(pk=data["ca"]).first()
            if ca is None:
                raise TrustError("no_ca_certificates", "No CA certificate has the id given.")
        return services.create_identity(
            data["name"],
            _read(data["file"], MAX_P12_BYTES),
            data["password"],
            ca=ca,
            **self.actor(),
        )

    @extend_schema(
        request=serializers.ClientIdentityReplaceSerializer,
        responses={200: serializers.ClientIdentitySerializer, 422: UNPROCESSABLE},
    )
    @action(detail=True, methods=["post"])
    def replace(self, request, pk=None):
        """Put a renewed PKCS#12 in place of this identity (same id for Fusion Sets)."""
        identity = self.get_object()
        upload = serializers.ClientIdentityReplaceSerializer(data=request.data)
        upload.is_valid(raise_exception=True)
        data = upload.validated_data
        identity = services.replace_identity(
            identity, _read(data["file"], MAX_P12_BYTES), data["password"], **self.actor()
        )
        return Response(self.get_serializer(identity).data)


@_schema(serializers.SigningKeystoreUploadSerializer, serializers.SigningKeystoreSerializer)
class SigningKeystoreViewSet(TrustViewSet):
    """Signing keystores for "sign on Fusebox"; passwords are write-only."""

    queryset = SigningKeystore.objects.all()
    serializer_class = serializers.SigningKeystoreSerializer
    upload_serializer_class = serializers.SigningKeystoreUploadSerializer

    def perform_upload(self, data):
        return services.create_keystore(
            data["name"],
            _read(data["file"], MAX_P12_BYTES),
            data["alias"],
            data["store_password"],
            data.get("key_password") or "",
            **self.actor(),
        )


@_schema(serializers.SigningFingerprintUploadSerializer, serializers.SigningFingerprintSerializer)
class SigningFingerprintViewSet(TrustViewSet):
    """Private signing fingerprints for apps signed outside Fusebox."""

    queryset = SigningFingerprint.objects.all()
    serializer_class = serializers.SigningFingerprintSerializer
    upload_serializer_class = serializers.SigningFingerprintUploadSerializer

    def perform_upload(self, data):
        return services.create_fingerprint(
            data["name"], data["sha256"], data.get("play_signing_sha256") or "", **self.actor()
        )
