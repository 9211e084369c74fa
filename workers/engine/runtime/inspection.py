"""Inspect a fused app's runtime from its bytes alone, for ``check-fused``.

Reports which runtime classes a DEX defines, the build values it carries (never the secret
half) and whether the identity asset decrypts for one of the app's actual signers.
"""

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from workers.engine.dex import class_descriptors
from workers.engine.errors import EngineError
from workers.engine.identity_seal import IdentityMaterial, unseal_identity
from workers.engine.runtime.build_values import read_build_values

logger = logging.getLogger(__name__)

RUNTIME_PACKAGE = "Lio/fusebox/runtime/"
REQUIRED_CLASSES = frozenset(
    {
        "BuildValues",
        "Defense",
        "Delivery",
        "IdentityFailure",
        "IdentityLoader",
        "InitProvider",
        "PinningTrustManager",
        "PreAuth",
        "PreAuthProvider",
        "PreAuthService",
        "PreAuthSslContextSpi",
        "ThreatEvent",
    }
)


@dataclass(frozen=True)
class RuntimeInspection:
    """What an app's bytes show about its mTLS Pre-Authentication runtime."""

    runtime_dex: str | None
    classes: frozenset[str]
    build_values: dict[str, str] = field(default_factory=dict)
    identity_present: bool = False
    identity: IdentityMaterial | None = None
    identity_error: str | None = None
    decrypting_signer_sha256: str | None = None

    @property
    def runtime_complete(self) -> bool:
        return self.classes >= REQUIRED_CLASSES

    @property
    def mode(self) -> str | None:
        return self.build_values.get("mode")

    @property
    def pinned_hosts(self) -> tuple[str, ...]:
        hosts = self.build_values.get("pinnedHosts", "")
        return tuple(h for h in hosts.split(",") if h)


def inspect_runtime(
    dex_files: Mapping[str, bytes],
    identity_asset: bytes | None,
    package: str,
    signer_sha256s: Iterable[bytes],
) -> RuntimeInspection:
    """Find the runtime among ``dex_files`` (zip name to bytes) and try the identity."""
    runtime_name, classes, secret, values = None, frozenset(), None, {}
    for name, dex in sorted(dex_files.items()):
        found = runtime_classes(dex)
        if found:
            runtime_name, classes = name, found
            read = read_build_values(dex) or {}
            secret = read.pop("secret", None)
            values = read
            break

    if identity_asset is None:
        return RuntimeInspection(runtime_name, classes, values, identity_error="identity_absent")
    if secret is None:
        return RuntimeInspection(
            runtime_name, classes, values, True, identity_error="build_values_absent"
        )

    error = "identity_not_decryptable"
    for signer in signer_sha256s:
        try:
            material = unseal_identity(identity_asset, bytes.fromhex(secret), signer, package)
        except EngineError as failure:
            error = failure.code
            continue
        return RuntimeInspection(runtime_name, classes, values, True, material, None, signer.hex())
    logger.info("identity of %s does not decrypt for any of its signers", package)
    return RuntimeInspection(runtime_name, classes, values, True, identity_error=error)


def runtime_classes(dex: bytes) -> frozenset[str]:
    """Simple names of the io.fusebox.runtime classes this DEX defines (not merely uses)."""
    try:
        descriptors = class_descriptors(dex)
    except EngineError:
        return frozenset()
    return frozenset(
        descriptor[len(RUNTIME_PACKAGE) : -1]
        for descriptor in descriptors
        if descriptor.startswith(RUNTIME_PACKAGE)
    )
