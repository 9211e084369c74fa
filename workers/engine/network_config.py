"""Build the network security configuration that pins an app's backend hosts.

Android enforces pins declared in ``res/xml`` through ``android:networkSecurityConfig``, so
pinning needs no code in the app. The configuration is merged with one the app already has:
its base-config, debug-overrides and other domain-configs stay; a pinned host that the app
already configured is moved into Fusebox's domain-config and gets Fusebox's settings.
"""

import base64
import copy
import hashlib
import ipaddress
import logging
import re

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from workers.engine.axml import TYPE_BOOLEAN, TYPE_REFERENCE, Attribute, Document, Element
from workers.engine.errors import RejectedInput

logger = logging.getLogger(__name__)

CONFIG_RESOURCE_NAME = "fusebox_network_security_config"
CONFIG_FILE_PATH = f"res/xml/{CONFIG_RESOURCE_NAME}.xml"
CA_RESOURCE_NAME = "fusebox_server_ca"
CA_FILE_PATH = f"res/raw/{CA_RESOURCE_NAME}.pem"
CA_REFERENCE_TEXT = f"@raw/{CA_RESOURCE_NAME}"
ROOT_NAME = "network-security-config"
MAX_PIN_HOSTS = 100
MAX_SERVER_CAS = 10

_LABEL = re.compile(r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?")


def _invalid_host(value: object, reason: str) -> RejectedInput:
    shown = repr(value)[:80]
    return RejectedInput(f"pin host {shown} is not valid: {reason}", code="pin_host_invalid")


def validate_pin_host(value: str) -> str:
    """Normalise a host to pin (lower case, no trailing dot); '*.' is allowed only in front.

    Android matches a ``<domain>`` by name, and only ``includeSubdomains`` widens it, so a
    wildcard can only stand for "this domain and every subdomain".
    """
    if not isinstance(value, str):
        raise _invalid_host(value, "it must be text")
    host = value.strip().lower()
    if host.endswith(".") and not host.endswith(".."):
        host = host[:-1]
    if not host:
        raise _invalid_host(value, "it is empty")
    if not host.isascii():
        raise _invalid_host(value, "use the ASCII (punycode, xn--) form of the name")
    wildcard = host.startswith("*.")
    name = host[2:] if wildcard else host
    if "*" in name:
        raise _invalid_host(value, "'*' is only allowed as '*.' in front of a domain")
    if ":" in name or "/" in name or "@" in name:
        raise _invalid_host(value, "give a host name only, without scheme, port or path")
    if _is_ip_address(name):
        if wildcard:
            raise _invalid_host(value, "an IP address cannot have a wildcard")
        return name
    labels = name.split(".")
    if len(name) > 253 or not all(_LABEL.fullmatch(label) for label in labels):
        raise _invalid_host(value, "each label needs 1-63 letters, digits or inner hyphens")
    if labels[-1].isdigit():
        raise _invalid_host(value, "the last label of a host name cannot be numeric")
    if wildcard and len(labels) < 2:
        raise _invalid_host(value, "a wildcard needs a domain of at least two labels")
    return host


def _is_ip_address(name: str) -> bool:
    try:
        ipaddress.IPv4Address(name)
    except ValueError:
        return False
    return True


def _domains(pinned_hosts: list[str]) -> dict[str, bool]:
    """Domain name -> includeSubdomains, merging 'x.com' and '*.x.com' into one domain."""
    if len(pinned_hosts) > MAX_PIN_HOSTS:
        raise RejectedInput(
            f"{len(pinned_hosts)} pin hosts given; at most {MAX_PIN_HOSTS} are supported",
            code="pin_host_invalid",
        )
    domains: dict[str, bool] = {}
    for value in pinned_hosts:
        host = validate_pin_host(value)
        name = host.removeprefix("*.")
        domains[name] = domains.get(name, False) or host.startswith("*.")
    return domains


def load_server_cas(server_ca_pems: list[bytes]) -> list[x509.Certificate]:
    """Parse every certificate in the PEM files given; an unreadable file is refused."""
    certificates: list[x509.Certificate] = []
    for pem in server_ca_pems:
        try:
            certificates += x509.load_pem_x509_certificates(pem)
        except (ValueError, TypeError):
            raise RejectedInput(
                "the server CA is not a PEM certificate; give the CA that issued the "
                "backend's TLS certificate in PEM form",
                code="server_ca_invalid",
            ) from None
    if not certificates or len(certificates) > MAX_SERVER_CAS:
        raise RejectedInput(
            f"give between 1 and {MAX_SERVER_CAS} server CA certificates",
            code="server_ca_invalid",
        )
    return certificates


def spki_pin(certificate: x509.Certificate) -> str:
    """Base64 SHA-256 of the SubjectPublicKeyInfo, the digest Android's <pin> expects."""
    spki = certificate.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return base64.b64encode(hashlib.sha256(spki).digest()).decode("ascii")


def _flag(name: str, value: bool) -> Attribute:
    # aapt keeps both the typed boolean (what Android reads) and the text it came from.
    return Attribute(
        None, name, None, TYPE_BOOLEAN, 0xFFFFFFFF if value else 0, str(value).lower()
    )


def _node(name: str, attributes=(), children=(), text: str | None = None) -> Element:
    return Element(name, attributes=list(attributes), children=list(children), text=text)


def _domain_config(domains, certificates, ca_resource_id) -> Element:
    children = [
        _node("domain", [_flag("includeSubdomains", subdomains)], text=name)
        for name, subdomains in domains.items()
    ]
    if certificates:
        source = Attribute(
            None, "src", None, TYPE_REFERENCE, ca_resource_id or 0, CA_REFERENCE_TEXT
        )
        anchor = _node("certificates", [source, _flag("overridePins", False)])
        children.append(_node("trust-anchors", children=[anchor]))
        pins = [
            _node("pin", [Attribute.string("digest", "SHA-256", namespace=None)], text=pin)
            for pin in dict.fromkeys(spki_pin(certificate) for certificate in certificates)
        ]
        children.append(_node("pin-set", children=pins))
    return _node("domain-config", [_flag("cleartextTrafficPermitted", False)], children)


def configured_domains(document: Document) -> set[str]:
    """Every domain name a configuration already has a domain-config for (lower case)."""
    return {
        (node.text or "").strip().lower()
        for config in document.root.iter("domain-config")
        for node in config.children
        if node.name == "domain"
    }


def pinned_domains(pinned_hosts: list[str]) -> list[str]:
    """The domain names the pinned hosts become (wildcards folded into their domain)."""
    return list(_domains(pinned_hosts))


def _strip_domains(container: Element, names: set[str]) -> None:
    """Remove our hosts from existing domain-configs (Android refuses a domain twice).

    A domain-config left without a domain is dropped; domain-configs nested in it move up
    to its parent, losing only the settings they inherited from it.
    """
    kept = []
    for child in container.children:
        if child.name != "domain-config":
            kept.append(child)
            continue
        _strip_domains(child, names)
        child.children = [
            node
            for node in child.children
            if not (node.name == "domain" and (node.text or "").strip().lower() in names)
        ]
        if any(node.name == "domain" for node in child.children):
            kept.append(child)
        else:
            kept += [node for node in child.children if node.name == "domain-config"]
    container.children = kept


def build_network_security_config(
    pinned_hosts: list[str],
    server_ca_pems: list[bytes] | None,
    existing: Document | None,
    *,
    ca_resource_id: int | None = None,
    app_cleartext_permitted: bool | None = None,
) -> tuple[Document, dict[str, bytes]]:
    """The merged configuration and the files it needs (the server CA as a raw resource).

    Without ``ca_resource_id`` the trust anchor's ``src`` is left for ``link_server_ca``
    to fill in once the raw resource has an id. ``app_cleartext_permitted`` is the app's
    ``android:usesCleartextTraffic``: Android ignores that attribute once a configuration
    exists, so a new configuration carries it over as its base-config.
    """
    domains = _domains(pinned_hosts)
    certificates = load_server_cas(server_ca_pems) if server_ca_pems else []
    if not domains:
        raise RejectedInput("no host to pin was given", code="pin_host_invalid")

    if existing is None:
        document = Document(root=_node(ROOT_NAME))
        if app_cleartext_permitted is not None:
            base = _node(
                "base-config", [_flag("cleartextTrafficPermitted", app_cleartext_permitted)]
            )
            document.root.children.append(base)
    else:
        if existing.root.name != ROOT_NAME:
            raise RejectedInput(
                f"the app's network security config has root <{existing.root.name}>",
                code="network_config_invalid",
            )
        document = copy.deepcopy(existing)
        _strip_domains(document.root, set(domains))
    document.root.children.append(_domain_config(domains, certificates, ca_resource_id))

    extra_files = {}
    if certificates:
        extra_files[CA_FILE_PATH] = b"".join(
            certificate.public_bytes(serialization.Encoding.PEM) for certificate in certificates
        )
    logger.info(
        "network security config: pinning %d domain(s), %d server CA(s), merged=%s",
        len(domains),
        len(certificates),
        existing is not None,
    )
    return document, extra_files


def link_server_ca(document: Document, resource_id: int) -> None:
    """Point every ``<certificates src="@raw/fusebox_server_ca">`` at the raw resource id."""
    for element in document.root.iter("certificates"):
        source = element.attribute("src", namespace=None)
        if source is not None and source.raw == CA_REFERENCE_TEXT:
            source.value_type = TYPE_REFERENCE
            source.data = resource_id
