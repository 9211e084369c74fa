"""Trust material a settings document names, looked up inside the organization's scope.

A Fusion Set stores trust material by id. Every write checks that each id names material of
the same organization (the scoped managers never return another organization's rows), and
that the chosen client identity chains to the chosen CA.
"""

from dataclasses import dataclass, field

from cryptography import x509
from cryptography.exceptions import InvalidSignature

from fusionsets import catalog
from fusionsets.errors import SettingsInvalid
from trust.models import CACertificate, ClientIdentity, SigningFingerprint, SigningKeystore

MODELS = {
    "ca": CACertificate,
    "identity": ClientIdentity,
    "keystore": SigningKeystore,
    "fingerprint": SigningFingerprint,
}
NOUNS = {
    "ca": "CA certificate",
    "identity": "client identity",
    "keystore": "signing keystore",
    "fingerprint": "signing fingerprint",
}


@dataclass(frozen=True)
class Named:
    """One reference found in a document: where it is, what it names."""

    kind: str
    path: str
    identifier: str


@dataclass
class Resolved:
    """The trust objects a document names, by id."""

    objects: dict[str, object] = field(default_factory=dict)

    def get(self, identifier: str | None):
        return self.objects.get(identifier) if identifier else None


def named_in(document: dict) -> list[Named]:
    """Every trust reference of a validated document (catalog features and signing)."""
    found = []
    for current in catalog.sections():
        for item in current.features:
            _enabled, settings = catalog.stored_settings(document["protections"], current, item)
            base = f"protections.{current.key}.features.{item.key}"
            for reference in item.references:
                value = _dig(settings, reference.path)
                values = value if reference.many else [value]
                path = f"{base}.{'.'.join(reference.path)}"
                found += [Named(reference.kind, path, v) for v in values if v]

    signing = document["signing"]
    if signing.get("keystore"):
        found.append(Named("keystore", "signing.keystore", signing["keystore"]))
    found += [Named("fingerprint", "signing.fingerprints", v) for v in signing["fingerprints"]]
    return found


def resolve(document: dict) -> Resolved:
    """Look every reference up in the current scope; a missing one is refused by name."""
    resolved = Resolved()
    for reference in named_in(document):
        model = MODELS[reference.kind]
        item = model.objects.filter(pk=reference.identifier).first()
        if item is None:
            raise SettingsInvalid(
                f"the {NOUNS[reference.kind]} {reference.identifier} does not exist in this "
                "organization; choose one from Trust material",
                code="trust_material_not_found",
                field=reference.path,
            )
        resolved.objects[reference.identifier] = item
    return resolved


def check_references(document: dict) -> Resolved:
    """Resolve the references and refuse an identity that does not chain to the chosen CA."""
    from fusionsets.documents import mtls_settings

    resolved = resolve(document)
    mtls = mtls_settings(document)
    ca = resolved.get(mtls["ca_certificate"])
    identity = resolved.get(mtls["client_identity"])
    if ca is not None and identity is not None and not identity_chains_to(identity, ca):
        raise SettingsInvalid(
            f"client identity '{identity.name}' does not chain to CA '{ca.name}'; choose an "
            "identity issued by that CA",
            code="identity_not_from_ca",
            field="protections.mobilebot_defense.features.mtls_preauth.client_identity",
        )
    return resolved


def identity_chains_to(identity: ClientIdentity, ca: CACertificate) -> bool:
    """Whether the identity's certificate was issued, directly or through its chain, by ca."""
    if identity.ca_id == ca.pk:
        return True
    try:
        chain = identity.certificates()
        anchors = ca.certificates()
    except ValueError:
        return False
    if not chain:
        return False

    current = chain[0]
    for _step in range(len(chain)):
        if any(_issued_by(current, anchor) for anchor in anchors):
            return True
        parent = next((c for c in chain[1:] if _issued_by(current, c)), None)
        if parent is None or parent == current:
            return False
        current = parent
    return False


def _issued_by(child: x509.Certificate, parent: x509.Certificate) -> bool:
    try:
        child.verify_directly_issued_by(parent)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True


def _dig(settings: dict, path: tuple[str, ...]):
    value = settings
    for key in path:
        value = value.get(key) if isinstance(value, dict) else None
    return value
