"""The mTLS Pre-Authentication runtime injected into fused apps, and its per-build DEX.

The runtime is smali under ``smali/`` (assembled once into the committed ``runtime.dex``);
``runtime_dex()`` returns that DEX with one build's values written into its placeholder, so
a fusion needs no JVM and no assembler. docs/runtime.md explains the design.
"""

from workers.engine.runtime.build_values import BuildValues, read_build_values
from workers.engine.runtime.dex_patch import runtime_dex

PROVIDER_CLASS = "io.fusebox.runtime.InitProvider"
PROVIDER_INIT_ORDER = 2147483647
IDENTITY_ASSET = "assets/fusebox/identity.bin"
RUNTIME_CLASS_PREFIX = "Lio/fusebox/runtime/"


def authority_for(package: str) -> str:
    """Authority of the start-up provider; unique per app so two fused apps never clash."""
    return f"{package}.fusebox-init"


__all__ = [
    "IDENTITY_ASSET",
    "PROVIDER_CLASS",
    "PROVIDER_INIT_ORDER",
    "RUNTIME_CLASS_PREFIX",
    "BuildValues",
    "authority_for",
    "read_build_values",
    "runtime_dex",
]
