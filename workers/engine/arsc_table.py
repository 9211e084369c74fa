"""The resources.arsc model: read every chunk, write back what changed, copy the rest.

Only chunks an edit touches are re-encoded (string pools are appended to in place, type
specs and type chunks are rebuilt from their parsed form); packages keep their other chunks
as raw bytes, so an unchanged table encodes to the same bytes. Sparse and 16-bit offset
type chunks are read and written in their own format.
"""

import logging
import struct
from dataclasses import dataclass, field

from workers.engine.errors import EngineError, RejectedInput
from workers.engine.string_pool import (
    RES_STRING_POOL_TYPE,
    StringPool,
    StringPoolError,
    check_string_pool,
    pool_string,
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


class ArscError(RejectedInput):
    """resources.arsc is malformed or over the size limits."""

    code = "resources_malformed"


def malformed(detail: str, offset: int | None = None) -> ArscError:
    where = "" if offset is None else f" at byte {offset}"
    return ArscError(
        f"resources.arsc is malformed: {detail}{where}; rebuild the app with the Android "
        "build tools"
    )


def _chunk_header(data: bytes, offset: int, end: int) -> tuple[int, int, int]:
    if end - offset < 8:
        raise malformed("a chunk header runs past its parent", offset)
    chunk_type, header_size, size = struct.unpack_from("<HHI", data, offset)
    if header_size < 8 or header_size > size or size > end - offset or (header_size | size) & 3:
        raise malformed(f"chunk 0x{chunk_type:04x} has inconsistent sizes", offset)
    return chunk_type, header_size, size


def _pool(data: bytes, offset: int) -> StringPool:
    try:
        return read_string_pool(data, offset, MAX_STRINGS)
    except StringPoolError as error:
        raise malformed(str(error), offset) from None


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
            raise malformed("an entry runs past its type chunk")
        size, flags, key = struct.unpack_from("<HHI", self.entries, position)
        if flags & ENTRY_FLAG_COMPACT:
            return size, flags >> 8, key
        if flags & ENTRY_FLAG_COMPLEX:
            return None
        if position + size + 8 > len(self.entries):
            raise malformed("an entry value runs past its type chunk")
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
        raise malformed("a type chunk header is too short", offset)
    type_id, flags, reserved, count, entries_start = struct.unpack_from("<BBHII", data, offset + 8)
    config_size = struct.unpack_from("<I", data, offset + TYPE_HEADER_FIXED)[0]
    if config_size != header_size - TYPE_HEADER_FIXED or not header_size <= entries_start <= size:
        raise malformed("a type chunk's configuration or entry table is out of place", offset)

    table_size = 4 * count if flags & (FLAG_SPARSE) or not flags & FLAG_OFFSET16 else 2 * count
    if header_size + table_size > entries_start:
        raise malformed("a type chunk's entry table overlaps its entries", offset)
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
        raise malformed("an entry offset points outside its type chunk", offset)
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
class UnreadTypeChunk:
    """A type chunk kept as bytes until an edit or lookup needs that type (tables are large)."""

    type_id: int
    raw: bytes

    def encode(self) -> bytes:
        return self.raw


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
        """The type's chunks (one per configuration), parsed now if they were not yet."""
        found = []
        for position, chunk in enumerate(self.chunks):
            if isinstance(chunk, UnreadTypeChunk) and chunk.type_id == type_id:
                header_size, size = struct.unpack_from("<HI", chunk.raw, 2)
                chunk = self.chunks[position] = _read_type(chunk.raw, 0, header_size, size)
            if isinstance(chunk, TypeChunk) and chunk.type_id == type_id:
                found.append(chunk)
        return found

    def config_size(self) -> int | None:
        """The ResTable_config size this package's build tool wrote, if it has any type."""
        for chunk in self.chunks:
            if isinstance(chunk, TypeChunk):
                return len(chunk.config)
            if isinstance(chunk, UnreadTypeChunk):
                return struct.unpack_from("<H", chunk.raw, 2)[0] - TYPE_HEADER_FIXED
        return None

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
    chunks: list[Package | bytes]

    def string(self, index: int) -> str:
        """One string of the global pool, decoded on demand (the pool can be megabytes)."""
        try:
            return pool_string(self.string_pool_chunk, index)
        except StringPoolError as error:
            raise malformed(f"global string pool: {error}") from None

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
        raise malformed("a package header is too short", offset)
    package_id = struct.unpack_from("<I", data, offset + 8)[0]
    name = data[offset + 12 : offset + 268].decode("utf-16-le", "replace").split("\0")[0]
    type_strings, _, key_strings = struct.unpack_from("<III", data, offset + 268)
    end = offset + size
    if type_strings != header_size:
        raise malformed("the package's type names do not follow its header", offset)
    pools = []
    position = offset + type_strings
    for _ in range(2):
        chunk_type, _, pool_size = _chunk_header(data, position, end)
        if chunk_type != RES_STRING_POOL_TYPE:
            raise malformed("a package lacks its type or key name pool", position)
        pools.append((position, pool_size, _pool(data, position)))
        position += pool_size
    if pools[1][0] - offset != key_strings:
        raise malformed("the package's key name pool is not where its header says", offset)

    chunks: list = []
    while position < end:
        chunk_type, chunk_header_size, chunk_size = _chunk_header(data, position, end)
        if chunk_type == RES_TABLE_TYPE_SPEC_TYPE:
            chunks.append(_read_spec(data, position, chunk_header_size, chunk_size))
        elif chunk_type == RES_TABLE_TYPE_TYPE:
            if chunk_header_size < TYPE_HEADER_FIXED + 4:
                raise malformed("a type chunk header is too short", position)
            raw = data[position : position + chunk_size]
            chunks.append(UnreadTypeChunk(raw[8], raw))
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
        raise malformed("a type spec's size does not match its entry count", offset)
    flags = list(struct.unpack_from(f"<{count}I", data, offset + header_size))
    return TypeSpec(type_id, reserved, flags)


def read_table(data: bytes) -> ResourceTable:
    """Parse resources.arsc, raising ``ArscError`` (``resources_malformed``) for anything off."""
    if len(data) > MAX_TABLE_BYTES:
        raise ArscError(f"resources.arsc is {len(data)} bytes, over the limit")
    chunk_type, header_size, size = _chunk_header(data, 0, len(data))
    if chunk_type != RES_TABLE_TYPE or header_size != 12 or size != len(data):
        raise malformed("the table header does not describe the whole file", 0)
    package_count = struct.unpack_from("<I", data, 8)[0]

    position = header_size
    pool_type, _, pool_size = _chunk_header(data, position, size)
    if pool_type != RES_STRING_POOL_TYPE:
        raise malformed("the global string pool is missing", position)
    pool_chunk = data[position : position + pool_size]
    try:
        check_string_pool(pool_chunk, MAX_STRINGS)
    except StringPoolError as error:
        raise malformed(str(error), position) from None
    position += pool_size

    chunks: list[Package | bytes] = []
    while position < size:
        chunk_type, chunk_header_size, chunk_size = _chunk_header(data, position, size)
        if chunk_type == RES_TABLE_PACKAGE_TYPE:
            chunks.append(_read_package(data, position, chunk_header_size, chunk_size))
        else:
            chunks.append(data[position : position + chunk_size])
        position += chunk_size
    table = ResourceTable(data[:header_size], pool_chunk, chunks)
    if len(table.packages) != package_count:
        raise malformed(
            f"the header announces {package_count} packages, found {len(table.packages)}"
        )
    return table
