"""factory_boy factories for apps, builds and webhooks (rows written without a scope check)."""

import hashlib
import uuid

import factory

from builds.models import App, Build, Webhook, WebhookDelivery
from tests.console.factories import TenantFactory
from tests.fusionsets.factories import FusionSetFactory


class AppFactory(TenantFactory):
    class Meta:
        model = App

    file_name = factory.Sequence(lambda n: f"app-{n}.apk")
    storage_name = factory.LazyFunction(lambda: f"missing/{uuid.uuid4().hex}.apk")
    size = 1234
    sha256 = factory.LazyFunction(lambda: hashlib.sha256(uuid.uuid4().bytes).hexdigest())
    package = factory.Sequence(lambda n: f"com.example.app{n}")
    version_name = "1.0"
    version_code = 1


class BuildFactory(TenantFactory):
    class Meta:
        model = Build

    app = factory.LazyAttribute(lambda o: AppFactory(organization=o.organization))
    fusion_set = factory.LazyAttribute(lambda o: FusionSetFactory(organization=o.organization))
    plan = factory.LazyFunction(lambda: {"revision_number": 1, "signing": {"method": "fusebox"}})
    signing_method = "fusebox"
    signing_fingerprint = "ab" * 32
    dispatch = 1


def succeeded_build(organization, content: bytes = b"fused app bytes") -> Build:
    """A succeeded build whose output (and signing script) exist in the build storage."""
    from builds import storage

    build = BuildFactory(organization=organization, status=Build.SUCCEEDED)
    build.output_name = storage.output_name(build)
    build.script_name = storage.script_name(build)
    build.output_sha256 = hashlib.sha256(content).hexdigest()
    root = storage.build_storage()
    for name in (build.output_name, build.script_name):
        if root.exists(name):
            root.delete(name)
        root.save(name, factory.django.FileField()._make_content({"data": content})[1])
    Build.unscoped.filter(pk=build.pk).update(
        output_name=build.output_name,
        script_name=build.script_name,
        output_sha256=build.output_sha256,
    )
    return build


class WebhookFactory(TenantFactory):
    class Meta:
        model = Webhook

    url = factory.Sequence(lambda n: f"https://hooks.example.com/{n}")
    secret_sealed = b"placeholder, not a sealed secret"


class WebhookDeliveryFactory(TenantFactory):
    class Meta:
        model = WebhookDelivery

    webhook = factory.LazyAttribute(lambda o: WebhookFactory(organization=o.organization))
    build = factory.LazyAttribute(lambda o: BuildFactory(organization=o.organization))
    event = "build.succeeded"
    payload = factory.LazyFunction(dict)
