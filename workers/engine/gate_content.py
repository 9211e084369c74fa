"""Content checks the gate runs on the few entries it reads whole: manifest, DEX, resources.

Only the binary manifest and ``resources.arsc`` are held in memory, each under its own
size limit; everything else is checked as it streams past.
"""

import re
import struct

from workers.engine import axml
from workers.engine.errors import GateError
from workers.engine.string_pool import StringPoolError, read_string_pool

DEX_MAGIC = re.compile(rb"dex\n(03[5-9]|04\d)\x00")
PACKAGE_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)+")
CHUNK_HEADER = struct.Struct("<HHI")
TABLE_TYPE = 0x0002
PACKAGE_TYPE = 0x0200
PACKAGE_KEY_POOL_FIELD = 276
PACKAGE_HEADER_MINIMUM = 284
MAX_POOL_STRINGS = 1_000_000


def check_manifest(data: bytes) -> str:
    """Parse the binary manifest strictly and return its package name."""
    try:
        document = axml.parse(data)
    except axml.AxmlError as error:
        raise GateError(error.message, code="manifest_malformed") from None

    root = document.root
    if root.name != "manifest":
        raise GateError(
            f"the manifest's root element is <{root.name}>, not <manifest>",
            code="manifest_malformed",
        )
    package = root.get("package", namespace=None)
    if not isinstance(package, str) or not PACKAGE_NAME.fullmatch(package):
        raise GateError(
            f"the manifest's package name {package!r} is not a valid Android package name",
            code="manifest_malformed",
        )
    return package


def check_dex(name: str, head: bytes) -> None:
    """A code file must at least carry a DEX header Android's runtime recognises."""
    if not DEX_MAGIC.fullmatch(head):
        raise GateError(
            f"{name} does not start with a DEX header; the code file is damaged or not DEX",
            code="dex_malformed",
        )


def check_resource_table(data: bytes) -> None:
    """Refuse resource names that act as paths when a tool decodes the table.

    Apktool-style decoders write each resource to ``res/<type>/<name>``; a name such as
    ``../../poc`` in the key pool turns decoding into an arbitrary file write.
    """
    try:
        for key in _resource_keys(data):
            if not key or "/" in key or "\\" in key or "\x00" in key or key in (".", ".."):
                raise GateError(
                    f"resources.arsc names a resource {key[:80]!r}, which is not a valid "
                    "resource name (it looks like a path)",
                    code="resources_bad_name",
                )
    except (StringPoolError, struct.error, ValueError, IndexError) as error:
        if isinstance(error, GateError):
            raise
        raise GateError(
            f"resources.arsc is malformed ({error}); rebuild the app with the Android tools",
            code="resources_malformed",
        ) from None


def _resource_keys(data: bytes):
    _, header_size, size = _chunk(data, 0, len(data))
    if data[:2] != struct.pack("<H", TABLE_TYPE) or size != len(data):
        raise ValueError("the resource table header is wrong")

    position = header_size
    while position < size:
        chunk_type, _, chunk_size = _chunk(data, position, size)
        if chunk_type == PACKAGE_TYPE:
            yield from _package_keys(data, position, chunk_size)
        position += chunk_size


def _package_keys(data: bytes, start: int, size: int):
    header_size = struct.unpack_from("<H", data, start + 2)[0]
    if header_size < PACKAGE_HEADER_MINIMUM:
        raise ValueError("a package chunk header is too short")
    key_pool = struct.unpack_from("<I", data, start + PACKAGE_KEY_POOL_FIELD)[0]
    if not header_size <= key_pool < size:
        raise ValueError("the key string pool lies outside its package")

    _chunk(data, start + key_pool, start + size)
    pool = read_string_pool(data[: start + size], start + key_pool, MAX_POOL_STRINGS)
    yield from pool.strings


def _chunk(data: bytes, position: int, limit: int) -> tuple[int, int, int]:
    if position + CHUNK_HEADER.size > limit:
        raise ValueError(f"a chunk header at byte {position} is cut short")
    chunk_type, header_size, size = CHUNK_HEADER.unpack_from(data, position)
    if header_size < CHUNK_HEADER.size or size < header_size or position + size > limit:
        raise ValueError(f"the chunk at byte {position} has impossible sizes")
    return chunk_type, header_size, size
