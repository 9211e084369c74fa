"""Material in use is never deleted; expired material is never handed to a build."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from console.tenancy import scope
from trust import services
from trust.errors import TrustError
from trust.material import load_identity_for_fusion
from trust.models import ClientIdentity
from trust.usage import register_usage_reporter, unregister_usage_reporter

pytestmark = pytest.mark.django_db


@pytest.fixture
def identity(cast, uploads):
    with scope(cast.a.organization):
        services.create_ca("Device CA", uploads.ca_pem)
        return services.create_identity("Retail app", uploads.identity, uploads.identity_password)


def test_a_reporter_from_another_app_blocks_deletion_and_is_named(cast, identity):
    def fusion_sets(material):
        return ["Fusion Set 'Retail'"] if isinstance(material, ClientIdentity) else []

    register_usage_reporter(fusion_sets)
    try:
        with scope(cast.a.organization), pytest.raises(TrustError) as caught:
            services.delete_material(identity)
    finally:
        unregister_usage_reporter(fusion_sets)

    assert caught.value.code == "material_in_use"
    assert "Fusion Set 'Retail'" in caught.value.message


def test_an_unused_identity_is_deleted(cast, identity):
    with scope(cast.a.organization):
        services.delete_material(identity)

        assert not ClientIdentity.objects.exists()


def test_expired_material_is_refused_at_fusion_time_with_the_date(cast, identity):
    from datetime import timedelta

    from django.utils import timezone

    with scope(cast.a.organization):
        ClientIdentity.objects.filter(pk=identity.pk).update(
            not_after=timezone.now() - timedelta(days=2)
        )

        with pytest.raises(TrustError) as caught:
            load_identity_for_fusion(identity.pk)

    assert caught.value.code == "material_expired"


def test_replacing_an_identity_keeps_its_id_and_records_the_old_fingerprint(
    cast, identity, ca, security_client
):
    from tests.trust import pki

    key, cert = pki.client_cert(ca.intermediate, ca.intermediate_key, "device-2")
    old_sha256 = identity.sha256

    response = security_client.post(
        f"/trust/identities/{identity.pk}/replace/",
        {
            "file": SimpleUploadedFile("n.p12", pki.p12(key, cert, "New-Pass-1")),
            "password": "New-Pass-1",
        },
    )

    assert response.status_code == 302
    with scope(cast.a.organization):
        renewed = ClientIdentity.objects.get(pk=identity.pk)
        assert renewed.subject == "CN=device-2"
        assert renewed.sha256 != old_sha256
        material = load_identity_for_fusion(identity.pk)
    assert b"CERTIFICATE" in material.certificate_pem
