"""mTLS Pre-Authentication: the feature's settings, defaults and validation.

Host and Threat-Event rules are the engine's own (``validate_pin_host``, ``BuildValues``), so
a Fusion Set accepts exactly what a build can apply.
"""

from fusionsets.catalog import Feature, Reference
from fusionsets.errors import SettingsInvalid
from fusionsets.ids import id_list, optional_id
from workers.engine.errors import EngineError
from workers.engine.fusion import ThreatEventSettings
from workers.engine.network_config import MAX_PIN_HOSTS, MAX_SERVER_CAS, validate_pin_host
from workers.engine.runtime.build_values import BuildValues, encode_build_values
from workers.engine.threat_events import MODES

MAX_MESSAGE_LENGTH = 500
MAX_FAIL_SAFE_DELAY_MS = 600_000
MAX_THREAT_SCORE = 1_000_000

FIELD_LABELS = {
    "ca_certificate": "CA certificate",
    "client_identity": "Client identity",
    "pinned_hosts": "Pinned hosts",
    "server_cas": "Server trust anchors",
    "threat_events": "Threat-Events",
    "threat_events.mode": "Threat-Events mode",
    "threat_events.message": "Threat-Events message",
    "threat_events.fail_safe_delay_ms": "Fail-safe enforcement delay (ms)",
    "threat_events.threat_score": "Threat score",
}

_KEYS = {"ca_certificate", "client_identity", "pinned_hosts", "server_cas", "threat_events"}
_THREAT_KEYS = {"mode", "message", "fail_safe_delay_ms", "threat_score"}


def defaults() -> dict:
    engine = ThreatEventSettings()
    return {
        "ca_certificate": None,
        "client_identity": None,
        "pinned_hosts": [],
        "server_cas": [],
        "threat_events": {
            "mode": engine.mode,
            "message": engine.message,
            "fail_safe_delay_ms": engine.fail_safe_delay_ms,
            "threat_score": engine.threat_score,
        },
    }


def validate(settings: dict, path: str, active: bool) -> dict:
    """Normalise the settings; an active feature must name its CA and identity."""
    unknown = sorted(set(settings) - _KEYS)
    if unknown:
        raise SettingsInvalid(
            f"unknown setting {unknown[0]!r} for mTLS Pre-Authentication",
            code="settings_unknown_key",
            field=path,
        )

    ca = optional_id(settings.get("ca_certificate"), f"{path}.ca_certificate")
    identity = optional_id(settings.get("client_identity"), f"{path}.client_identity")
    if active and ca is None:
        raise SettingsInvalid(
            "choose the CA certificate your backend trusts for mTLS Pre-Authentication",
            code="ca_required",
            field=f"{path}.ca_certificate",
        )
    if active and identity is None:
        raise SettingsInvalid(
            "choose the client identity the app presents for mTLS Pre-Authentication",
            code="identity_required",
            field=f"{path}.client_identity",
        )

    hosts = validate_hosts(settings.get("pinned_hosts", []), f"{path}.pinned_hosts")
    server_cas = id_list(settings.get("server_cas", []), f"{path}.server_cas")
    if len(server_cas) > MAX_SERVER_CAS:
        raise SettingsInvalid(
            f"at most {MAX_SERVER_CAS} server trust anchors are supported",
            field=f"{path}.server_cas",
        )
    threat_events = validate_threat_events(
        settings.get("threat_events", {}), f"{path}.threat_events", hosts
    )
    return {
        "ca_certificate": ca,
        "client_identity": identity,
        "pinned_hosts": hosts,
        "server_cas": server_cas,
        "threat_events": threat_events,
    }


def validate_hosts(value: object, path: str) -> list[str]:
    """Pinned hosts, normalised by the engine's rules, without duplicates, in given order."""
    if isinstance(value, str):
        value = [line for line in value.replace(",", "\n").splitlines() if line.strip()]
    if not isinstance(value, list):
        raise SettingsInvalid("pinned hosts must be a list of host names", field=path)
    if len(value) > MAX_PIN_HOSTS:
        raise SettingsInvalid(f"at most {MAX_PIN_HOSTS} pinned hosts are supported", field=path)

    hosts = []
    for item in value:
        try:
            host = validate_pin_host(item)
        except EngineError as error:
            raise SettingsInvalid(error.message, code=error.code, field=path) from None
        if host not in hosts:
            hosts.append(host)
    return hosts


def validate_threat_events(value: object, path: str, hosts: list[str] | None = None) -> dict:
    """Mode, message, delay and score within what the runtime's build values can carry."""
    if not isinstance(value, dict):
        raise SettingsInvalid("Threat-Events settings must be an object", field=path)
    unknown = sorted(set(value) - _THREAT_KEYS)
    if unknown:
        raise SettingsInvalid(
            f"unknown Threat-Events setting {unknown[0]!r}",
            code="settings_unknown_key",
            field=path,
        )
    base = defaults()["threat_events"]
    merged = {**base, **value}

    mode = merged["mode"]
    if mode not in MODES:
        raise SettingsInvalid(
            f"Threat-Events mode must be one of {', '.join(MODES)}",
            code="threat_events_mode_invalid",
            field=f"{path}.mode",
        )
    message = merged["message"]
    if not isinstance(message, str) or not message.strip():
        raise SettingsInvalid("write the message the app shows", field=f"{path}.message")
    message = message.strip()
    if len(message) > MAX_MESSAGE_LENGTH or any(ord(c) < 32 for c in message):
        raise SettingsInvalid(
            f"the message must be one line of at most {MAX_MESSAGE_LENGTH} characters",
            field=f"{path}.message",
        )
    delay = _bounded_int(
        merged["fail_safe_delay_ms"], 0, MAX_FAIL_SAFE_DELAY_MS, f"{path}.fail_safe_delay_ms"
    )
    score = _bounded_int(merged["threat_score"], 0, MAX_THREAT_SCORE, f"{path}.threat_score")

    result = {"mode": mode, "message": message, "fail_safe_delay_ms": delay, "threat_score": score}
    _check_fits_runtime(result, hosts or [], path)
    return result


def _check_fits_runtime(threat_events: dict, hosts: list[str], path: str) -> None:
    """Encode the build values the runtime would carry, so an oversize set is refused now."""
    values = BuildValues(
        runtime_secret=bytes(32),
        signer_sha256=bytes(32),
        mode=threat_events["mode"],
        message=threat_events["message"],
        fail_safe_delay_ms=threat_events["fail_safe_delay_ms"],
        threat_score=threat_events["threat_score"],
        build_date="2000-01-01T00:00:00Z",
        build_user="x" * 64,
        build_host="x" * 64,
        fused_app_token="0" * 32,
        external_id="x" * 64,
        pinned_hosts=tuple(host.removeprefix("*.") for host in hosts),
    )
    try:
        encode_build_values(values)
    except EngineError as error:
        raise SettingsInvalid(error.message, code=error.code, field=path) from None


def _bounded_int(value: object, low: int, high: int, path: str) -> int:
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise SettingsInvalid(f"must be a whole number from {low} to {high}", field=path)
    return value


FEATURE = Feature(
    key="mtls_preauth",
    label="mTLS Pre-Authentication",
    description="The app proves it is the genuine, unmodified build with a client "
    "certificate before its first request reaches the backend; pinned hosts only trust "
    "the server certificates you choose.",
    default_enabled=True,
    defaults=defaults,
    validate=validate,
    field_labels=FIELD_LABELS,
    references=(
        Reference("ca", ("ca_certificate",)),
        Reference("identity", ("client_identity",)),
        Reference("ca", ("server_cas",), many=True),
    ),
)
