"""Add file resources (res/xml, res/raw) to resources.arsc and resolve existing ones.

The global string pool and the key pool grow by one string at their end (so every existing
index keeps its meaning), the target type gets one entry, and every other byte of the table
is copied through; see ``arsc_table`` for the model.
"""

import logging
import struct

from workers.engine.arsc_table import (
    DEFAULT_CONFIG_SIZE,
    FLAG_OFFSET16,
    FLAG_SPARSE,
    RES_TABLE_PACKAGE_TYPE,
    TYPE_REFERENCE,
    TYPE_STRING,
    ArscError,
    Package,
    ResourceTable,
    TypeChunk,
    TypeSpec,
    UnreadTypeChunk,
    read_table,
)
from workers.engine.errors import EngineError
from workers.engine.string_pool import StringPool, append_string, encode_string_pool

logger = logging.getLogger(__name__)

FILE_TYPES = ("xml", "raw")

__all__ = [
    "ArscError",
    "ResourceTable",
    "add_file_resource",
    "find_entry",
    "read_table",
    "resolve",
]


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
            return table.string(data)
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
    config_size = package.config_size() or DEFAULT_CONFIG_SIZE
    config = struct.pack("<I", config_size) + bytes(config_size - 4)
    chunk = TypeChunk(type_id, 0, 0, config, entry_index + 1, {}, b"")
    related = [
        position
        for position, existing in enumerate(package.chunks)
        if isinstance(existing, TypeChunk | TypeSpec | UnreadTypeChunk)
        and existing.type_id == type_id
    ]
    package.chunks.insert(related[-1] + 1, chunk)
    return chunk
