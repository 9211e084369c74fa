"""Who uses a piece of trust material, so it is never deleted from under a Fusion Set.

Other apps register a reporter once (from ``AppConfig.ready``); a reporter receives a trust
object and returns human-readable lines such as "Fusion Set 'Retail app'". Deleting is refused
while any reporter returns a line.
"""

from collections.abc import Callable

UsageReporter = Callable[[object], list[str]]

_reporters: list[UsageReporter] = []


def register_usage_reporter(reporter: UsageReporter) -> None:
    """Add a reporter; registering the same function twice has no effect."""
    if reporter not in _reporters:
        _reporters.append(reporter)


def unregister_usage_reporter(reporter: UsageReporter) -> None:
    if reporter in _reporters:
        _reporters.remove(reporter)


def usage_of(material) -> list[str]:
    """Every use reported for ``material`` (a CA, identity, keystore or fingerprint)."""
    lines: list[str] = []
    for reporter in _reporters:
        lines.extend(reporter(material) or [])
    return lines


def identities_of_ca(material) -> list[str]:
    """A CA is used by the client identities that chain to it."""
    from trust.models import CACertificate

    if not isinstance(material, CACertificate):
        return []
    return [f"client identity '{identity.name}'" for identity in material.identities.all()]
