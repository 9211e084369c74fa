"""Produce a build's runtime DEX by overwriting the placeholder in the committed one.

The placeholder is a fixed-size fill-array-data payload, so patching is a same-length byte
replacement followed by recomputing the DEX header's SHA-1 signature and Adler-32 checksum:
a few milliseconds, no JVM or assembler at fuse time.
"""

import functools
import hashlib
import logging
import struct
import zlib
from pathlib import Path

from workers.engine.errors import FusionError
from workers.engine.runtime.build_values import (
    PLACEHOLDER_MARKER,
    PLACEHOLDER_SIZE,
    BuildValues,
    encode_build_values,
)

logger = logging.getLogger(__name__)

RUNTIME_DEX_PATH = Path(__file__).with_name("runtime.dex")
_PAYLOAD_HEADER = struct.pack("<HHI", 0x0300, 1, PLACEHOLDER_SIZE)


@functools.cache
def committed_runtime_dex() -> bytes:
    """The assembled runtime as committed (its build values are the empty placeholder)."""
    return RUNTIME_DEX_PATH.read_bytes()


def runtime_dex(build_values: BuildValues) -> bytes:
    """The runtime DEX for one build, ready to be added to the app as a new classesN.dex."""
    template = committed_runtime_dex()
    offset = find_payload(template, PLACEHOLDER_MARKER)
    if offset is None:
        raise FusionError(
            "the runtime DEX has no build-values placeholder: reinstall Fusebox",
            "runtime_dex_corrupt",
        )

    dex = bytearray(template)
    dex[offset : offset + PLACEHOLDER_SIZE] = encode_build_values(build_values)
    fix_dex_header(dex)
    logger.debug("runtime DEX patched with build values (%d bytes)", len(dex))
    return bytes(dex)


def find_payload(dex: bytes, start: bytes) -> int | None:
    """Offset of the one placeholder-sized byte-array payload whose data begins with start."""
    needle = _PAYLOAD_HEADER + start
    first = dex.find(needle)
    if first < 0 or dex.find(needle, first + 1) >= 0:
        return None
    return first + len(_PAYLOAD_HEADER)


def fix_dex_header(dex: bytearray) -> None:
    """Recompute the signature (SHA-1 of bytes 32..end) then the checksum (Adler-32 of 12..)."""
    dex[12:32] = hashlib.sha1(dex[32:]).digest()  # noqa: S324 - the DEX format mandates SHA-1
    dex[8:12] = struct.pack("<I", zlib.adler32(dex[12:]))
