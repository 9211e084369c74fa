"""Trust material's entries in the isolation matrix (console pages and DEV-API)."""

import uuid
from functools import cache

from console.tenancy import scope
from tests.console.route_sweep import Route, register
from tests.trust import pki
from trust.certificates import facts_of
from trust.models import CACertificate, ClientIdentity, SigningFingerprint, SigningKeystore

# The sweep checks who may reach which row; it never opens a secret, so rows carry a
# placeholder instead of sealed bytes (no master key is needed in the console suite).
NOT_SEALED = b"route-sweep placeholder, not a sealed secret"


@cache
def _certificate():
    return pki.make_cert(pki.ec_key(), "Route sweep CA")


def _with_facts(item):
    certificate = _certificate()
    item.fill_facts(facts_of(certificate))
    item.sha256 = f"{item.name}:{item.sha256}"[:95]
    item.certificate_pem = pki.pem(certificate).decode()
    return item


def ca(organization):
    with scope(organization):
        item = _with_facts(
            CACertificate(organization=organization, name=f"marker-ca-{organization.slug}")
        )
        item.save()
        return item


def identity(organization):
    with scope(organization):
        item = _with_facts(
            ClientIdentity(
                organization=organization,
                name=f"marker-identity-{organization.slug}",
                origin="uploaded",
                private_key_sealed=NOT_SEALED,
            )
        )
        item.save()
        return item


def keystore(organization):
    with scope(organization):
        item = _with_facts(
            SigningKeystore(
                organization=organization,
                name=f"marker-keystore-{organization.slug}",
                alias="release",
                keystore_sealed=NOT_SEALED,
                store_password_sealed=NOT_SEALED,
                key_password_sealed=NOT_SEALED,
            )
        )
        item.save()
        return item


def fingerprint(organization):
    with scope(organization):
        return SigningFingerprint.objects.create(
            organization=organization,
            name=f"marker-fingerprint-{organization.slug}",
            sha256=":".join([f"{organization.pk % 256:02X}"] * 32),
        )


def _name(item):
    return item.name


def _uuid_kwargs(item):
    """Trust rows have UUID keys; a placeholder integer id (the role matrix uses pk=1) maps
    to a UUID so that the URL still reverses."""
    pk = item.pk if isinstance(item.pk, uuid.UUID) else uuid.UUID(int=item.pk)
    return {"pk": pk}


SECURITY = "security"

for factory, noun in [
    (ca, "ca"),
    (identity, "identity"),
    (keystore, "keystore"),
    (fingerprint, "fingerprint"),
]:
    register(Route(f"trust-{noun}-create", "page", role=SECURITY))
    register(
        Route(
            f"trust-{noun}-detail", "object", factory=factory, role=SECURITY, kwargs=_uuid_kwargs
        )
    )
    register(
        Route(
            f"trust-{noun}-delete",
            "object",
            methods=("post",),
            factory=factory,
            role=SECURITY,
            kwargs=_uuid_kwargs,
        )
    )
    register(Route(f"api-trust-{noun}-list", "list", factory=factory, marker=_name, role=SECURITY))
    register(
        Route(
            f"api-trust-{noun}-detail",
            "object",
            methods=("get", "delete"),
            factory=factory,
            role=SECURITY,
            kwargs=_uuid_kwargs,
        )
    )

register(Route("trust", "list", factory=ca, marker=_name, role=SECURITY))
register(
    Route(
        "trust-identity-issue",
        "object",
        methods=("get", "post"),
        factory=ca,
        role=SECURITY,
        kwargs=_uuid_kwargs,
    )
)
register(
    Route(
        "trust-identity-replace",
        "object",
        methods=("get", "post"),
        factory=identity,
        role=SECURITY,
        kwargs=_uuid_kwargs,
    )
)
register(
    Route(
        "api-trust-ca-issue",
        "object",
        methods=("post",),
        factory=ca,
        role=SECURITY,
        kwargs=_uuid_kwargs,
    )
)
register(
    Route(
        "api-trust-identity-replace",
        "object",
        methods=("post",),
        factory=identity,
        role=SECURITY,
        kwargs=_uuid_kwargs,
    )
)
