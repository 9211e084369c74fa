"""Per-build values of the runtime, written as java.util.Properties text into the DEX.

They live in the DEX rather than in the identity ciphertext because the mode, message and
build metadata must stay readable when the identity does not decrypt (a re-signed app still
has to raise its Threat-Event and show the message).
"""

import re
from dataclasses import dataclass, field

from workers.engine.errors import FusionError
from workers.engine.threat_events import MODES

PLACEHOLDER_SIZE = 4096
PLACEHOLDER_MARKER = b"#FUSEBOX-BUILD-VALUES-PLACEHOLDER-V1\n"
HEADER = b"#fusebox-build-values v1\n"
RUNTIME_ASSET_NAME = "fusebox/identity.bin"

_LABEL = r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?"
_HOST = re.compile(rf"^(?=.{{1,253}}$){_LABEL}(\.{_LABEL})*$")
_SPECIAL = {"\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\f": "\\f"}


@dataclass(frozen=True)
class BuildValues:
    """Everything a build decides for the runtime; ``runtime_secret`` is a key half."""

    runtime_secret: bytes = field(repr=False)
    signer_sha256: bytes
    mode: str = "off"
    message: str = "This app cannot confirm its identity and will close."
    fail_safe_delay_ms: int = 5000
    threat_score: int = 100
    build_date: str = ""
    build_user: str = ""
    build_host: str = ""
    fused_app_token: str = ""
    external_id: str = ""
    pinned_hosts: tuple[str, ...] = ()

    def properties(self) -> dict[str, str]:
        """The key/value pairs the runtime reads (names match the smali)."""
        self._check()
        return {
            "secret": self.runtime_secret.hex(),
            "signerSha256": self.signer_sha256.hex(),
            "identityAsset": RUNTIME_ASSET_NAME,
            "mode": self.mode,
            "message": self.message,
            "failSafeDelayMs": str(self.fail_safe_delay_ms),
            "threatScore": str(self.threat_score),
            "buildDate": self.build_date,
            "buildUser": self.build_user,
            "buildHost": self.build_host,
            "fusedAppToken": self.fused_app_token,
            "externalID": self.external_id,
            "pinnedHosts": ",".join(self.pinned_hosts),
        }

    def _check(self) -> None:
        if len(self.runtime_secret) != 32:
            raise FusionError("the runtime secret half must be 32 bytes", "build_values_invalid")
        if len(self.signer_sha256) != 32:
            raise FusionError(
                "the signer fingerprint must be a SHA-256 digest (32 bytes)",
                "build_values_invalid",
            )
        if self.mode not in MODES:
            raise FusionError(
                f"Threat-Events mode {self.mode!r} is not one of {', '.join(MODES)}",
                "build_values_invalid",
            )
        if not 0 <= self.fail_safe_delay_ms <= 600_000:
            raise FusionError(
                "the fail-safe enforcement delay must be 0 to 600000 ms", "build_values_invalid"
            )
        if not 0 <= self.threat_score <= 1_000_000:
            raise FusionError("the threat score must be 0 to 1000000", "build_values_invalid")
        for host in self.pinned_hosts:
            if not _HOST.match(host):
                raise FusionError(
                    f"pinned host {host[:80]!r} is not a lower-case DNS name",
                    "build_values_invalid",
                )


def encode_build_values(values: BuildValues) -> bytes:
    """The exact placeholder-sized payload: header, Properties lines, newline padding."""
    lines = [HEADER]
    for key, value in values.properties().items():
        lines.append(f"{key}={_escape(value)}\n".encode("ascii"))
    text = b"".join(lines)

    if len(text) > PLACEHOLDER_SIZE:
        raise FusionError(
            f"build values take {len(text)} bytes, more than the runtime's {PLACEHOLDER_SIZE}:"
            " shorten the message or the pinned host list",
            "build_values_too_large",
        )
    return text + b"\n" * (PLACEHOLDER_SIZE - len(text))


def decode_build_values(payload: bytes) -> dict[str, str]:
    """Parse a payload written by ``encode_build_values`` (the subset of Properties it uses)."""
    values = {}
    for raw in payload.decode("latin-1").split("\n"):
        if not raw or raw.startswith("#"):
            continue
        key, _, value = raw.partition("=")
        values[key] = _unescape(value)
    return values


def read_build_values(dex: bytes) -> dict[str, str] | None:
    """The build values of a fused app's runtime DEX, or None when it carries none."""
    from workers.engine.runtime.dex_patch import find_payload

    offset = find_payload(dex, HEADER)
    if offset is None:
        return None
    return decode_build_values(dex[offset : offset + PLACEHOLDER_SIZE])


def _escape(value: str) -> str:
    """Escape as java.util.Properties.store does, with every non-ASCII char as \\uXXXX."""
    out = []
    for index, char in enumerate(value):
        if char in _SPECIAL:
            out.append(_SPECIAL[char])
        elif char in "=:#!" or (char == " " and index == 0):
            out.append("\\" + char)
        elif " " <= char <= "~":
            out.append(char)
        else:
            units = char.encode("utf-16-be", "surrogatepass")
            for at in range(0, len(units), 2):
                out.append(f"\\u{int.from_bytes(units[at : at + 2], 'big'):04x}")
    return "".join(out)


def _unescape(value: str) -> str:
    units = []
    index = 0
    named = {"n": "\n", "r": "\r", "t": "\t", "f": "\f"}
    while index < len(value):
        char = value[index]
        if char != "\\" or index + 1 == len(value):
            units.append(char)
            index += 1
            continue
        escaped = value[index + 1]
        if escaped == "u":
            units.append(chr(int(value[index + 2 : index + 6], 16)))
            index += 6
        else:
            units.append(named.get(escaped, escaped))
            index += 2
    joined = "".join(units)
    return joined.encode("utf-16-be", "surrogatepass").decode("utf-16-be")
