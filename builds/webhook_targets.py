"""Where webhooks may be sent: public addresses only, unless the operator allows a network.

A webhook URL is chosen by a tenant but called by Fusebox's workers, from inside the
operator's network. Left open, a tenant could have the workers POST to the cloud metadata
service (169.254.169.254), to the database, or to any internal page (server-side request
forgery), and read the outcome in the delivery list. So every address a webhook host
resolves to must be globally routable, checked when the webhook is registered and again at
each delivery, and the delivery connects to the very address that passed the check: a name
that answers differently a second later (DNS rebinding) cannot move it. Redirects are never
followed. Operators whose receivers live inside their own network list those networks in
``FUSEBOX_WEBHOOK_ALLOWED_NETWORKS``.
"""

import ipaddress
import logging
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

from workers.engine.errors import RejectedInput

logger = logging.getLogger(__name__)

MAX_URL_LENGTH = 500
DEFAULT_PORTS = {"http": 80, "https": 443}


@dataclass(frozen=True)
class Target:
    """A webhook URL taken apart: what to connect to and what to ask for."""

    scheme: str
    host: str
    port: int
    path: str

    @property
    def is_literal_address(self) -> bool:
        try:
            ipaddress.ip_address(self.host)
        except ValueError:
            return False
        return True


def parse(url: str) -> Target:
    """The URL's parts, or a refusal that says what is wrong with it."""
    if not url or len(url) > MAX_URL_LENGTH:
        raise _refused("webhook_url_invalid", f"give a URL of at most {MAX_URL_LENGTH} characters")
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as error:
        raise _refused("webhook_url_invalid", f"the URL cannot be read: {error}") from None

    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        raise _refused("webhook_url_invalid", "the URL must start with https:// or http://")
    if not parts.hostname:
        raise _refused("webhook_url_invalid", "the URL has no host name")
    if parts.username is not None or parts.password is not None:
        raise _refused(
            "webhook_url_invalid",
            "the URL must not carry a user name or password; receivers check the "
            "X-Fusebox-Signature header instead",
        )
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    return Target(scheme, parts.hostname, port or DEFAULT_PORTS[scheme], path)


def is_allowed(address, allowed_networks) -> bool:
    """Globally routable, or inside one of the networks the operator allowed."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if any(address in network for network in allowed_networks):
        return True
    return address.is_global and not (address.is_multicast or address.is_reserved)


def resolve(target: Target) -> list:
    """Every address the host resolves to, in the resolver's order."""
    try:
        answers = socket.getaddrinfo(target.host, target.port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise _refused(
            "webhook_host_unresolvable", f"{target.host} does not resolve from Fusebox: {error}"
        ) from None

    addresses = []
    for _family, _type, _proto, _name, sockaddr in answers:
        address = ipaddress.ip_address(sockaddr[0].split("%", 1)[0])
        if address not in addresses:
            addresses.append(address)
    return addresses


def refuse_internal(target: Target, addresses: list) -> None:
    """Refuse the host unless every address it resolves to is allowed.

    One private answer among public ones refuses the whole name: a receiver has no reason
    to publish an internal address, and whoever controls the name picks the order.
    """
    networks = [
        ipaddress.ip_network(item, strict=False)
        for item in settings.FUSEBOX_WEBHOOK_ALLOWED_NETWORKS
    ]
    refused = [address for address in addresses if not is_allowed(address, networks)]
    if not refused:
        return

    where = (
        f"{target.host} is not a public address"
        if target.is_literal_address
        else f"{target.host} resolves to {refused[0]}, which is not a public address"
    )
    raise _refused(
        "webhook_url_not_public",
        f"{where}; webhooks are only sent to the internet unless the operator allows "
        "the network in FUSEBOX_WEBHOOK_ALLOWED_NETWORKS",
    )


def checked_addresses(target: Target) -> list:
    """The host's addresses, resolved now, once every one of them is allowed."""
    addresses = resolve(target)
    refuse_internal(target, addresses)
    return addresses


def check_for_registration(url: str) -> str | None:
    """Refuse a URL that leads inside the network; None, or a warning worth showing.

    A host that does not resolve yet is accepted with a warning (its receiver may not be
    deployed yet); each delivery resolves and checks it again before connecting.
    """
    target = parse(url)
    try:
        addresses = resolve(target)
    except RejectedInput:
        return f"{target.host} does not resolve from Fusebox yet; deliveries fail until it does"
    refuse_internal(target, addresses)
    return None


def _refused(code: str, message: str) -> RejectedInput:
    return RejectedInput(f"webhook URL: {message}", code=code)
