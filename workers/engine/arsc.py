"""Read resources.arsc and add file resources (res/xml, res/raw) to it without a rebuild.

Only the chunks a change touches are re-encoded: the global string pool and key pool grow
by one string at their end (so every existing index keeps its meaning), the target type
gets one entry, and every other byte of the table is copied through. Sparse and 16-bit
offset type chunks are read; a new entry always goes into a plain default-config chunk.
"""

import logging
import struct
from dataclasses import dataclass, field

from workers.engine.errors import EngineError, RejectedInput
from workers.engine.string_pool import (
    RES_STRING_POOL_TYPE,
    StringPool,
    StringPoolError,
    append_string,
    encode_string_pool,
    read_string_pool,
)

logger = logging.getLogger(__name__)

MAX_TABLE_BYTES = 128 * 1024 * 1024
MAX_STRINGS = 2_000_000

RES_TABLE_TYPE = 0x0002
RES_TABLE_PACKAGE_TYPE = 0x0200
RES_TABLE_TYPE_TYPE = 0x0201
RES_TABLE_TYPE_SPEC_TYPE = 0x0202

PACKAGE_HEADER_MIN = 284
TYPE_HEADER_FIXED = 20
TYPE_SPEC_HEADER_SIZE = 16
DEFAULT_CONFIG_SIZE = 64
NO_ENTRY = 0xFFFFFFFF
NO_ENTRY_16 = 0xFFFF
FLAG_SPARSE = 0x01
FLAG_OFFSET16 = 0x02
ENTRY_FLAG_COMPLEX = 0x0001
ENTRY_FLAG_COMPACT = 0x0008
TYPE_REFERENCE = 0x01
TYPE_STRING = 0x03
FILE_TYPES = ("xml", "raw")


class ArscError(RejectedInput):
    """resources.arsc is malformed or over the size limits."""

    code = "resources_malformed"


def _fail(detail: str, offset: int | None = None) -> ArscError:
    where = "" if offset is None else f" at byte {offset}"
    return ArscError(
        f"resources.arsc is malformed: {detail}{where}; rebuild the app with the Android "
        "build tools"
    )


def _chunk_header(data: bytes, offset: int, end: int) -> tuple[int, int, int]:
    if end - offset < 8:
        raise _fail("a chunk header runs past its parent", offset)
    chunk_type, header_size, size = struct.unpack_from("<HHI", data, offset)
    if header_size < 8 or header_size > size or size > end - offset or (header_size | size) & 3:
        raise _fail(f"chunk 0x{chunk_type:04x} has inconsistent sizes", offset)
    return chunk_type, header_size, size


def _pool(data: bytes, offset: int) -> StringPool:
    try:
        return read_string_pool(data, offset, MAX_STRINGS)
    except StringPoolError as error:
        raise _fail(str(error), offset) from None


@dataclass
class TypeChunk:
    """One ResTable_type: the entries of one type for one configuration."""

    type_id: int
    flags: int
    reserved: int
    config: bytes
    entry_count: int
    offsets: dict[int, int]
    entries: bytes

    @property
    def is_default_config(self) -> bool:
        return not any(self.config[4:])

    def entry(self, index: int) -> tuple[int, int, int] | None:
        """(key index, value type, value data) of a simple entry, or None when absent."""
        if index not in self.offsets:
            return None
        position = self.offsets[index]
        if position + 8 > len(self.entries):
            raise _fail("an entry runs past its type chunk")
        size, flags, key = struct.unpack_from("<HHI", self.entries, position)
        if flags & ENTRY_FLAG_COMPACT:
            return size, flags >> 8, key
        if flags & ENTRY_FLAG_COMPLEX:
            return None
        if position + size + 8 > len(self.entries):
            raise _fail("an entry value runs past its type chunk")
        _, _, value_type, data = struct.unpack_from("<HBBI", self.entries, position + size)
        return key, value_type, data

    def encode(self) -> bytes:
        if self.flags & FLAG_SPARSE:
            table = b"".join(
                struct.pack("<HH", index, offset // 4)
                for index, offset in sorted(self.offsets.items())
            )
            count = len(self.offsets)
        elif self.flags & FLAG_OFFSET16:
            table = struct.pack(
                f"<{self.entry_count}H",
                *(self.offsets.get(i, NO_ENTRY_16 * 4) // 4 for i in range(self.entry_count)),
            )
            count = self.entry_count
        else:
            table = struct.pack(
                f"<{self.entry_count}I",
                *(self.offsets.get(i, NO_ENTRY) for i in range(self.entry_count)),
            )
            count = self.entry_count
        table += b"\0" * (-len(table) % 4)
        header_size = TYPE_HEADER_FIXED + len(self.config)
        entries_start = header_size + len(table)
        size = entries_start + len(self.entries)
        header = struct.pack(
            "<HHIBBHII",
            RES_TABLE_TYPE_TYPE,
            header_size,
            size,
            self.type_id,
            self.flags,
            self.reserved,
            count,
            entries_start,
        )
        return header + self.config + table + self.entries


def _read_type(data: bytes, offset: int, header_size: int, size: int) -> TypeChunk:
    if header_size < TYPE_HEADER_FIXED + 4:
        raise _fail("a type chunk header is too short", offset)
    type_id, flags, reserved, count, entries_start = struct.unpack_from("<BBHII", data, offset + 8)
    config_size = struct.unpack_from("<I", data, offset + TYPE_HEADER_FIXED)[0]
    if config_size != header_size - TYPE_HEADER_FIXED or not header_size <= entries_start <= size:
        raise _fail("a type chunk's configuration or entry table is out of place", offset)

    table_size = 4 * count if flags & (FLAG_SPARSE) or not flags & FLAG_OFFSET16 else 2 * count
    if header_size + table_size > entries_start:
        raise _fail("a type chunk's entry table overlaps its entries", offset)
    table = offset + header_size
    offsets: dict[int, int] = {}
    entry_count = count
    if flags & FLAG_SPARSE:
        for index, quarter in struct.iter_unpack("<HH", data[table : table + 4 * count]):
            offsets[index] = quarter * 4
        entry_count = max(offsets, default=-1) + 1
    elif flags & FLAG_OFFSET16:
        for index, (quarter,) in enumerate(
            struct.iter_unpack("<H", data[table : table + 2 * count])
        ):
            if quarter != NO_ENTRY_16:
                offsets[index] = quarter * 4
    else:
        for index, (position,) in enumerate(
            struct.iter_unpack("<I", data[table : table + 4 * count])
        ):
            if position != NO_ENTRY:
                offsets[index] = position
    entries = data[offset + entries_start : offset + size]
    if any(position + 8 > len(entries) or position & 3 for position in offsets.values()):
        raise _fail("an entry offset points outside its type chunk", offset)
    return TypeChunk(
        type_id,
        flags,
        reserved,
        data[offset + 20 : offset + header_size],
        entry_count,
        offsets,
        entries,
    )


@dataclass
class TypeSpec:
    type_id: int
    reserved: int
    flags: list[int]

    def encode(self) -> bytes:
        count = len(self.flags)
        return struct.pack(
            "<HHIBBHI",
            RES_TABLE_TYPE_SPEC_TYPE,
            TYPE_SPEC_HEADER_SIZE,
            TYPE_SPEC_HEADER_SIZE + 4 * count,
            self.type_id,
            0,
            self.reserved,
            count,
        ) + struct.pack(f"<{count}I", *self.flags)


@dataclass
class Package:
    """A ResTable_package; ``chunks`` holds raw bytes or parsed spec/type chunks in order."""

    header: bytes
    package_id: int
    name: str
    type_pool_chunk: bytes
    key_pool_chunk: bytes
    type_names: list[str]
    key_names: list[str]
    chunks: list = field(default_factory=list)

    def specs(self) -> dict[int, TypeSpec]:
        return {chunk.type_id: chunk for chunk in self.chunks if isinstance(chunk, TypeSpec)}

    def types(self, type_id: int) -> list[TypeChunk]:
        return [c for c in self.chunks if isinstance(c, TypeChunk) and c.type_id == type_id]

    @property
    def type_id_offset(self) -> int:
        """Feature splits number their types after the base app's (ResTable_package)."""
        if len(self.header) < PACKAGE_HEADER_MIN + 4:
            return 0
        return struct.unpack_from("<I", self.header, PACKAGE_HEADER_MIN)[0]

    def type_id(self, type_name: str) -> int | None:
        if type_name in self.type_names:
            return self.type_names.index(type_name) + 1 + self.type_id_offset
        return None

    def encode(self) -> bytes:
        body = [self.type_pool_chunk, self.key_pool_chunk]
        body += [chunk if isinstance(chunk, bytes) else chunk.encode() for chunk in self.chunks]
        header = bytearray(self.header)
        header_size = len(header)
        struct.pack_into("<I", header, 4, header_size + sum(len(part) for part in body))
        struct.pack_into("<I", header, 268, header_size)
        struct.pack_into("<I", header, 276, header_size + len(self.type_pool_chunk))
        return bytes(header) + b"".join(body)


@dataclass
class ResourceTable:
    """A parsed resources.arsc; ``encode()`` writes it back, unchanged parts byte for byte."""

    header: bytes
    string_pool_chunk: bytes
    strings: list[str]
    chunks: list[Package | bytes]

    @property
    def packages(self) -> list[Package]:
        return [chunk for chunk in self.chunks if isinstance(chunk, Package)]

    def package(self, package_id: int | None = None) -> Package:
        """The app's package: the one with ``package_id``, else 0x7f, else the first."""
        wanted = package_id if package_id is not None else 0x7F
        for package in self.packages:
            if package.package_id == wanted:
                return package
        if package_id is None and self.packages:
            return self.packages[0]
        raise EngineError(
            f"resources.arsc has no package 0x{wanted:02x}", code="resource_not_found"
        )

    def encode(self) -> bytes:
        body = self.string_pool_chunk + b"".join(
            chunk if isinstance(chunk, bytes) else chunk.encode() for chunk in self.chunks
        )
        header = bytearray(self.header)
        struct.pack_into("<II", header, 4, len(header) + len(body), len(self.packages))
        return bytes(header) + body


def _read_package(data: bytes, offset: int, header_size: int, size: int) -> Package:
    if header_size < PACKAGE_HEADER_MIN:
        raise _fail("a package header is too short", offset)
    package_id = struct.unpack_from("<I", data, offset + 8)[0]
    name = data[offset + 12 : offset + 268].decode("utf-16-le", "replace").split("\0")[0]
    type_strings, _, key_strings = struct.unpack_from("<III", data, offset + 268)
    end = offset + size
    if type_strings != header_size:
        raise _fail("the package's type names do not follow its header", offset)
    pools = []
    position = offset + type_strings
    for _ in range(2):
        chunk_type, _, pool_size = _chunk_header(data, position, end)
        if chunk_type != RES_STRING_POOL_TYPE:
            raise _fail("a package lacks its type or key name pool", position)
        pools.append((position, pool_size, _pool(data, position)))
        position += pool_size
    if pools[1][0] - offset != key_strings:
        raise _fail("the package's key name pool is not where its header says", offset)

    chunks: list = []
    while position < end:
        chunk_type, chunk_header_size, chunk_size = _chunk_header(data, position, end)
        if chunk_type == RES_TABLE_TYPE_SPEC_TYPE:
            chunks.append(_read_spec(data, position, chunk_header_size, chunk_size))
        elif chunk_type == RES_TABLE_TYPE_TYPE:
            chunks.append(_read_type(data, position, chunk_header_size, chunk_size))
        else:
            chunks.append(data[position : position + chunk_size])
        position += chunk_size
    return Package(
        header=data[offset : offset + header_size],
        package_id=package_id,
        name=name,
        type_pool_chunk=data[pools[0][0] : pools[0][0] + pools[0][1]],
        key_pool_chunk=data[pools[1][0] : pools[1][0] + pools[1][1]],
        type_names=pools[0][2].strings,
        key_names=pools[1][2].strings,
        chunks=chunks,
    )


def _read_spec(data: bytes, offset: int, header_size: int, size: int) -> TypeSpec:
    type_id, _, reserved, count = struct.unpack_from("<BBHI", data, offset + 8)
    if header_size != TYPE_SPEC_HEADER_SIZE or size != header_size + 4 * count:
        raise _fail("a type spec's size does not match its entry count", offset)
    flags = list(struct.unpack_from(f"<{count}I", data, offset + header_size))
    return TypeSpec(type_id, reserved, flags)


def read_table(data: bytes) -> ResourceTable:
    """Parse resources.arsc, raising ``ArscError`` (``resources_malformed``) for anything off."""
    if len(data) > MAX_TABLE_BYTES:
        raise ArscError(f"resources.arsc is {len(data)} bytes, over the limit")
    chunk_type, header_size, size = _chunk_header(data, 0, len(data))
    if chunk_type != RES_TABLE_TYPE or header_size != 12 or size != len(data):
        raise _fail("the table header does not describe the whole file", 0)
    package_count = struct.unpack_from("<I", data, 8)[0]

    position = header_size
    pool_type, _, pool_size = _chunk_header(data, position, size)
    if pool_type != RES_STRING_POOL_TYPE:
        raise _fail("the global string pool is missing", position)
    pool = _pool(data, position)
    pool_chunk = data[position : position + pool_size]
    position += pool_size

    chunks: list[Package | bytes] = []
    while position < size:
        chunk_type, chunk_header_size, chunk_size = _chunk_header(data, position, size)
        if chunk_type == RES_TABLE_PACKAGE_TYPE:
            chunks.append(_read_package(data, position, chunk_header_size, chunk_size))
        else:
            chunks.append(data[position : position + chunk_size])
        position += chunk_size
    table = ResourceTable(data[:header_size], pool_chunk, pool.strings, chunks)
    if len(table.packages) != package_count:
        raise _fail(f"the header announces {package_count} packages, found {len(table.packages)}")
    return table


def _resource_id(package: Package, type_id: int, entry_index: int) -> int:
    return (package.package_id << 24) | (type_id << 16) | entry_index


def find_entry(table: ResourceTable, type_name: str, entry_name: str) -> int | None:
    """The id of ``type_name/entry_name`` in the app's package, or None when it has none."""
    package = table.package()
    type_id = package.type_id(type_name)
    if type_id is None:
        return None
    for chunk in package.types(type_id):
        for index in chunk.offsets:
            entry = chunk.entry(index)
            names = package.key_names
            if entry and entry[0] < len(names) and names[entry[0]] == entry_name:
                return _resource_id(package, type_id, index)
    return None


def resolve(arsc: bytes, resource_id: int) -> str:
    """The file path a file resource (``@xml/...``, ``@raw/...``) points to.

    The default configuration wins; otherwise the first configuration that has the entry.
    References to other resources are followed a few steps.
    """
    table = read_table(arsc)
    for _ in range(8):
        value_type, data = _lookup(table, resource_id)
        if value_type == TYPE_STRING:
            if data >= len(table.strings):
                raise _fail(f"resource 0x{resource_id:08x} names a string outside the pool")
            return table.strings[data]
        if value_type != TYPE_REFERENCE:
            break
        resource_id = data
    raise EngineError(
        f"resource 0x{resource_id:08x} is not a file resource", code="resource_not_found"
    )


def _lookup(table: ResourceTable, resource_id: int) -> tuple[int, int]:
    package = table.package(resource_id >> 24)
    type_id = (resource_id >> 16) & 0xFF
    index = resource_id & 0xFFFF
    chunks = sorted(package.types(type_id), key=lambda chunk: not chunk.is_default_config)
    for chunk in chunks:
        entry = chunk.entry(index)
        if entry is not None:
            return entry[1], entry[2]
    raise EngineError(
        f"resources.arsc has no value for resource 0x{resource_id:08x}", code="resource_not_found"
    )


def add_file_resource(
    arsc: bytes,
    type_name: str,
    entry_name: str,
    file_path: str,
    package_name: str | None = None,
) -> tuple[bytes, int]:
    """Add ``@type_name/entry_name`` pointing at ``file_path``; returns (new arsc, its id).

    Adding the same name with the same path again returns the existing id unchanged, so the
    step can be repeated safely; the same name with another path is refused. A table with no
    package at all (an app without resources) gets package 0x7f named ``package_name``.
    """
    if type_name not in FILE_TYPES:
        raise EngineError(f"cannot add a '{type_name}' resource", code="resource_type_invalid")
    if not entry_name.replace("_", "a").isalnum() or not entry_name.isascii():
        raise EngineError(f"resource name '{entry_name}' is invalid", code="resource_name_invalid")
    table = read_table(arsc)
    if not table.packages:
        table.chunks.append(_new_package(package_name))
    existing = find_entry(table, type_name, entry_name)
    if existing is not None:
        if resolve(arsc, existing) != file_path:
            raise EngineError(
                f"the app already has @{type_name}/{entry_name} for another file",
                code="resource_exists",
            )
        return arsc, existing

    package = table.package()
    table.string_pool_chunk, value_index = append_string(table.string_pool_chunk, file_path)
    table.strings.append(file_path)
    if entry_name in package.key_names:
        key_index = package.key_names.index(entry_name)
    else:
        package.key_pool_chunk, key_index = append_string(package.key_pool_chunk, entry_name)
        package.key_names.append(entry_name)

    type_id = package.type_id(type_name) or _add_type(package, type_name)
    spec = package.specs().get(type_id) or _add_spec(package, type_id)
    entry_index = len(spec.flags)
    if entry_index > 0xFFFF:
        raise EngineError(f"the app's '{type_name}' type is full", code="resource_type_full")
    spec.flags.append(0)

    entry = struct.pack("<HHIHBBI", 8, 0, key_index, 8, 0, TYPE_STRING, value_index)
    default = next((c for c in package.types(type_id) if c.is_default_config), None)
    if default is None:
        default = _add_default_type_chunk(package, type_id, entry_index)
    if default.flags & (FLAG_SPARSE | FLAG_OFFSET16) and len(default.entries) >= 0xFFFF * 4:
        raise EngineError(
            f"the app's default '{type_name}' table is too large for a new entry",
            code="resource_type_full",
        )
    for chunk in package.types(type_id):
        if not chunk.flags & FLAG_SPARSE:
            chunk.entry_count = entry_index + 1
    default.offsets[entry_index] = len(default.entries)
    default.entries += entry

    resource_id = _resource_id(package, type_id, entry_index)
    logger.info("resources.arsc: added @%s/%s (0x%08x)", type_name, entry_name, resource_id)
    return table.encode(), resource_id


def _new_package(package_name: str | None) -> Package:
    if not package_name:
        raise EngineError(
            "resources.arsc has no package; the app's package name is needed to add one",
            code="resource_not_found",
        )
    name = package_name.encode("utf-16-le")[:254].ljust(256, b"\0")
    empty_pool = encode_string_pool(StringPool([], [], utf8=False))
    header = struct.pack("<HHII", RES_TABLE_PACKAGE_TYPE, 288, 0, 0x7F) + name
    header += struct.pack("<IIIII", 288, 0, 288 + len(empty_pool), 0, 0)
    return Package(header, 0x7F, package_name, empty_pool, empty_pool, [], [], [])


def _add_type(package: Package, type_name: str) -> int:
    type_id = len(package.type_names) + 1 + package.type_id_offset
    if type_id > 0xFF:
        raise EngineError(
            "the app has no room for another resource type", code="resource_type_full"
        )
    package.type_pool_chunk, _ = append_string(package.type_pool_chunk, type_name)
    package.type_names.append(type_name)
    return type_id


def _add_spec(package: Package, type_id: int) -> TypeSpec:
    spec = TypeSpec(type_id, 0, [])
    package.chunks.append(spec)
    return spec


def _add_default_type_chunk(package: Package, type_id: int, entry_index: int) -> TypeChunk:
    """A plain default-config chunk, placed after the type's spec and existing chunks."""
    config_size = next(
        (len(c.config) for c in package.chunks if isinstance(c, TypeChunk)), DEFAULT_CONFIG_SIZE
    )
    config = struct.pack("<I", config_size) + bytes(config_size - 4)
    chunk = TypeChunk(type_id, 0, 0, config, entry_index + 1, {}, b"")
    related = [
        position
        for position, existing in enumerate(package.chunks)
        if isinstance(existing, TypeChunk | TypeSpec) and existing.type_id == type_id
    ]
    package.chunks.insert(related[-1] + 1, chunk)
    return chunk
