"""Encode a binary XML ``Document`` back to bytes in the layout aapt produces.

The original string pool order is kept so that an unchanged document comes back byte for
byte; strings a patch needs are appended. Attribute names that carry a framework resource id
live at the front of the pool, one-to-one with the resource map, because Android identifies
attributes by that map and not by name.
"""

import struct

from workers.engine.axml import (
    ATTRIBUTE_EXT_SIZE,
    ATTRIBUTE_SIZE,
    NO_INDEX,
    NODE_HEADER_SIZE,
    RES_XML_CDATA_TYPE,
    RES_XML_END_ELEMENT_TYPE,
    RES_XML_END_NAMESPACE_TYPE,
    RES_XML_RESOURCE_MAP_TYPE,
    RES_XML_START_ELEMENT_TYPE,
    RES_XML_START_NAMESPACE_TYPE,
    RES_XML_TYPE,
    TYPE_NULL,
    TYPE_STRING,
    Attribute,
    AxmlError,
    Document,
    Element,
)
from workers.engine.string_pool import StringPool, StringPoolError, encode_string_pool

ANDROID_ID_ATTRIBUTE = 0x010100D0


def sorted_attributes(attributes: list[Attribute]) -> list[Attribute]:
    """aapt's order: by resource id ascending, attributes without an id after, kept in order."""
    return sorted(attributes, key=lambda a: (a.resource_id is None, a.resource_id or 0))


class _PoolBuilder:
    """Assigns a pool index to every string the document uses, reusing the original order."""

    def __init__(self, document: Document):
        resource_map = document.resource_map or []
        self.mapped = list(zip(document.strings[: len(resource_map)], resource_map, strict=True))
        self.rest = list(document.strings[len(resource_map) :])
        self.root = document.root

    def build(self) -> None:
        mapped_known = set(self.mapped)
        plain_names: list[str] = []
        others: list[str | None] = []
        for element in self.root.iter():
            for namespace in element.namespace_declarations:
                others += [namespace.prefix, namespace.uri, namespace.comment]
            others += [element.namespace, element.name, element.comment, element.text]
            others.append(element.tail)
            for attribute in element.attributes:
                others += [attribute.namespace, attribute.raw]
                if attribute.resource_id is None:
                    plain_names.append(attribute.name)
                    continue
                pair = (attribute.name, attribute.resource_id)
                if pair not in mapped_known:
                    mapped_known.add(pair)
                    self.mapped.append(pair)

        self.mapped_index = {}
        for index, pair in enumerate(self.mapped):
            self.mapped_index.setdefault(pair, index)
        self.strings = [name for name, _ in self.mapped] + self.rest
        self.any_index: dict[str, int] = {}
        self.plain_index: dict[str, int] = {}
        for index, text in enumerate(self.strings):
            self.any_index.setdefault(text, index)
            if index >= len(self.mapped):
                self.plain_index.setdefault(text, index)
        for name in plain_names:
            if name not in self.plain_index:
                self._append(name)
        for text in others:
            if text is not None and text not in self.any_index:
                self._append(text)

    def _append(self, text: str) -> None:
        index = len(self.strings)
        self.strings.append(text)
        self.any_index.setdefault(text, index)
        self.plain_index.setdefault(text, index)

    def index(self, text: str | None) -> int:
        """Plain strings prefer the unmapped part of the pool, as aapt lays them out."""
        if text is None:
            return NO_INDEX
        return self.plain_index.get(text, self.any_index[text])

    def name_index(self, attribute: Attribute) -> int:
        if attribute.resource_id is None:
            return self.plain_index[attribute.name]
        return self.mapped_index[(attribute.name, attribute.resource_id)]


def _node(chunk_type: int, line: int, comment: int, body: bytes) -> bytes:
    size = NODE_HEADER_SIZE + len(body)
    return struct.pack("<HHIII", chunk_type, NODE_HEADER_SIZE, size, line, comment) + body


def _cdata(pool: _PoolBuilder, text: str, line: int) -> bytes:
    body = struct.pack("<IHBBI", pool.index(text), 8, 0, TYPE_NULL, 0)
    return _node(RES_XML_CDATA_TYPE, line, NO_INDEX, body)


def _attribute_bytes(pool: _PoolBuilder, attribute: Attribute) -> bytes:
    data = attribute.data
    if attribute.value_type == TYPE_STRING:
        if attribute.raw is None:
            raise AxmlError(f"string attribute '{attribute.name}' has no value to write")
        data = pool.index(attribute.raw)
    raw = attribute.raw if attribute.raw_in_file else None
    return struct.pack(
        "<IIIHBBI",
        pool.index(attribute.namespace),
        pool.name_index(attribute),
        pool.index(raw),
        8,
        0,
        attribute.value_type,
        data & 0xFFFFFFFF,
    )


def _special_index(attributes: list[Attribute], name: str) -> int:
    """1-based position of android:id, or of the plain class/style attribute (aapt's rule)."""
    for position, attribute in enumerate(attributes, start=1):
        if name == "id" and attribute.resource_id == ANDROID_ID_ATTRIBUTE:
            return position
        if name != "id" and attribute.namespace is None and attribute.name == name:
            return position
    return 0


def _element_nodes(pool: _PoolBuilder, element: Element, out: list[bytes]) -> None:
    for namespace in element.namespace_declarations:
        body = struct.pack("<II", pool.index(namespace.prefix), pool.index(namespace.uri))
        out.append(
            _node(
                RES_XML_START_NAMESPACE_TYPE, namespace.line, pool.index(namespace.comment), body
            )
        )

    attributes = sorted_attributes(element.attributes)
    ext = struct.pack(
        "<IIHHHHHH",
        pool.index(element.namespace),
        pool.index(element.name),
        ATTRIBUTE_EXT_SIZE,
        ATTRIBUTE_SIZE,
        len(attributes),
        _special_index(attributes, "id"),
        _special_index(attributes, "class"),
        _special_index(attributes, "style"),
    )
    body = ext + b"".join(_attribute_bytes(pool, attribute) for attribute in attributes)
    out.append(_node(RES_XML_START_ELEMENT_TYPE, element.line, pool.index(element.comment), body))

    if element.text:
        out.append(_cdata(pool, element.text, element.line))
    for child in element.children:
        _element_nodes(pool, child, out)
        if child.tail:
            out.append(_cdata(pool, child.tail, child.end_line))

    end = struct.pack("<II", pool.index(element.namespace), pool.index(element.name))
    out.append(_node(RES_XML_END_ELEMENT_TYPE, element.end_line, NO_INDEX, end))
    for namespace in reversed(element.namespace_declarations):
        body = struct.pack("<II", pool.index(namespace.prefix), pool.index(namespace.uri))
        out.append(_node(RES_XML_END_NAMESPACE_TYPE, namespace.end_line, NO_INDEX, body))


def write_document(document: Document) -> bytes:
    """Encode ``document``; the output parses back to an equal document."""
    pool = _PoolBuilder(document)
    pool.build()

    nodes: list[bytes] = []
    _element_nodes(pool, document.root, nodes)
    try:
        pool_chunk = encode_string_pool(StringPool(pool.strings, [], document.utf8))
    except StringPoolError as error:
        raise AxmlError(f"binary XML cannot be written: {error}") from None

    resource_ids = [resource_id for _, resource_id in pool.mapped]
    chunks = [pool_chunk]
    if resource_ids or document.resource_map is not None:
        chunks.append(
            struct.pack("<HHI", RES_XML_RESOURCE_MAP_TYPE, 8, 8 + 4 * len(resource_ids))
            + struct.pack(f"<{len(resource_ids)}I", *resource_ids)
        )
    chunks.extend(nodes)
    body = b"".join(chunks)
    return struct.pack("<HHI", RES_XML_TYPE, 8, 8 + len(body)) + body
