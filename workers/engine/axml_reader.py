"""The strict binary XML reader behind ``axml.parse``.

Every chunk is bounds-checked before it is read and every size must agree with what aapt
writes; the first inconsistency raises ``AxmlError`` naming the defect and its offset.
Limits are read from ``workers.engine.axml`` at call time so they stay in one place.
"""

import struct

from workers.engine import axml as limits
from workers.engine.axml import (
    ATTRIBUTE_EXT_SIZE,
    ATTRIBUTE_SIZE,
    NO_INDEX,
    NODE_HEADER_SIZE,
    RES_XML_CDATA_TYPE,
    RES_XML_END_ELEMENT_TYPE,
    RES_XML_RESOURCE_MAP_TYPE,
    RES_XML_START_ELEMENT_TYPE,
    RES_XML_START_NAMESPACE_TYPE,
    RES_XML_TYPE,
    TYPE_STRING,
    Attribute,
    AxmlError,
    Document,
    Element,
    Namespace,
)
from workers.engine.string_pool import (
    RES_STRING_POOL_TYPE,
    StringPool,
    StringPoolError,
    read_string_pool,
)


class _Reader:
    """Walks the chunks of one document; every read is bounds-checked against ``end``."""

    def __init__(self, data: bytes):
        self.data = data
        self.end = len(data)
        self.pool: StringPool | None = None
        self.resource_map: list[int] | None = None
        self.element_count = 0

    def fail(self, detail: str, offset: int | None = None) -> AxmlError:
        where = "" if offset is None else f" at byte {offset}"
        return AxmlError(
            f"binary XML is malformed: {detail}{where}; the file was damaged or tampered "
            "with, rebuild the app with the Android build tools"
        )

    def string(self, index: int, offset: int, allow_none: bool = False) -> str | None:
        if index == NO_INDEX and allow_none:
            return None
        if self.pool is None or index >= len(self.pool.strings):
            raise self.fail(f"string index {index} is outside the string pool", offset)
        return self.pool.strings[index]

    def parse(self) -> Document:
        data = self.data
        if len(data) > limits.MAX_DOCUMENT_BYTES:
            raise AxmlError(
                f"binary XML is {len(data)} bytes, over the {limits.MAX_DOCUMENT_BYTES}-byte limit"
            )
        if len(data) < 8:
            raise self.fail("the file is shorter than a chunk header")
        chunk_type, header_size, size = struct.unpack_from("<HHI", data, 0)
        if chunk_type != RES_XML_TYPE:
            raise self.fail(f"the file starts with chunk type 0x{chunk_type:04x}, not XML")
        if header_size != 8 or size != len(data):
            raise self.fail(
                f"the XML header says {size} bytes (header {header_size}) but the file "
                f"has {len(data)}"
            )

        offset = header_size
        nodes_started = False
        builder = _TreeBuilder(self)
        while offset < self.end:
            chunk_type, header_size, size = self.chunk_header(offset)
            if chunk_type == RES_STRING_POOL_TYPE:
                if self.pool is not None or nodes_started or offset != 8:
                    raise self.fail("the string pool is not the first and only pool", offset)
                try:
                    self.pool = read_string_pool(data, offset, limits.MAX_STRINGS)
                except StringPoolError as error:
                    raise self.fail(str(error), offset) from None
            elif chunk_type == RES_XML_RESOURCE_MAP_TYPE:
                self.read_resource_map(offset, header_size, size, nodes_started)
            elif RES_XML_START_NAMESPACE_TYPE <= chunk_type <= RES_XML_CDATA_TYPE:
                if self.pool is None:
                    raise self.fail("an XML node comes before the string pool", offset)
                nodes_started = True
                builder.node(offset, chunk_type, header_size, size)
            else:
                raise self.fail(f"unexpected chunk type 0x{chunk_type:04x}", offset)
            offset += size

        root = builder.finish()
        assert self.pool is not None
        return Document(
            root=root,
            strings=list(self.pool.strings),
            resource_map=self.resource_map,
            utf8=self.pool.utf8,
        )

    def chunk_header(self, offset: int) -> tuple[int, int, int]:
        if self.end - offset < 8:
            raise self.fail("a chunk header runs past the end of the file", offset)
        chunk_type, header_size, size = struct.unpack_from("<HHI", self.data, offset)
        if header_size < 8 or header_size > size:
            raise self.fail(
                f"chunk 0x{chunk_type:04x} has size {size}, smaller than its "
                f"{header_size}-byte header",
                offset,
            )
        if (header_size | size) & 3:
            raise self.fail(f"chunk 0x{chunk_type:04x} is not 4-byte aligned", offset)
        if size > self.end - offset:
            raise self.fail(f"chunk 0x{chunk_type:04x} runs past the end of the file", offset)
        return chunk_type, header_size, size

    def read_resource_map(self, offset, header_size, size, nodes_started) -> None:
        if self.resource_map is not None or nodes_started or self.pool is None:
            raise self.fail("the resource map is misplaced or repeated", offset)
        if header_size != 8:
            raise self.fail("the resource map header is not 8 bytes", offset)
        count = (size - header_size) // 4
        if count > len(self.pool.strings):
            raise self.fail("the resource map is longer than the string pool", offset)
        self.resource_map = list(struct.unpack_from(f"<{count}I", self.data, offset + 8))


class _TreeBuilder:
    """Turns the flat node chunks into a tree, checking that starts and ends nest properly."""

    def __init__(self, reader: _Reader):
        self.reader = reader
        self.stack: list[Element] = []
        self.namespaces: list[tuple[Namespace, int, bool]] = []
        self.pending: list[Namespace] = []
        self.root: Element | None = None

    def node(self, offset: int, chunk_type: int, header_size: int, size: int) -> None:
        reader = self.reader
        if header_size != NODE_HEADER_SIZE:
            raise reader.fail(f"an XML node header is {header_size} bytes, not 16", offset)
        line, comment_index = struct.unpack_from("<II", reader.data, offset + 8)
        comment = reader.string(comment_index, offset, allow_none=True)
        ext = offset + header_size
        ext_size = size - header_size
        if chunk_type == RES_XML_START_ELEMENT_TYPE:
            self.start_element(offset, ext, ext_size, line, comment)
        elif chunk_type == RES_XML_END_ELEMENT_TYPE:
            self.expect_ext_size(offset, ext_size, 8)
            self.end_element(offset, ext, line)
        elif chunk_type == RES_XML_CDATA_TYPE:
            self.expect_ext_size(offset, ext_size, 12)
            self.cdata(offset, ext)
        else:
            self.expect_ext_size(offset, ext_size, 8)
            prefix_index, uri_index = struct.unpack_from("<II", reader.data, ext)
            prefix = reader.string(prefix_index, offset, allow_none=True)
            uri = reader.string(uri_index, offset)
            if chunk_type == RES_XML_START_NAMESPACE_TYPE:
                self.start_namespace(offset, Namespace(prefix, uri, line, comment))
            else:
                self.end_namespace(offset, prefix, uri, line)

    def expect_ext_size(self, offset: int, actual: int, expected: int) -> None:
        if actual != expected:
            raise self.reader.fail(
                f"an XML node body is {actual} bytes where {expected} are expected", offset
            )

    def start_namespace(self, offset: int, namespace: Namespace) -> None:
        if self.root is not None and not self.stack:
            raise self.reader.fail("a namespace starts after the root element ended", offset)
        self.namespaces.append((namespace, len(self.stack), False))
        self.pending.append(namespace)

    def end_namespace(self, offset: int, prefix: str | None, uri: str, line: int) -> None:
        if not self.namespaces:
            raise self.reader.fail("a namespace ends that never started", offset)
        namespace, depth, attached = self.namespaces.pop()
        if (namespace.prefix, namespace.uri) != (prefix, uri) or depth != len(self.stack):
            raise self.reader.fail("namespace start and end do not nest", offset)
        if not attached:
            raise self.reader.fail("a namespace is declared around no element", offset)
        namespace.end_line = line

    def start_element(self, offset, ext, ext_size, line, comment) -> None:
        reader = self.reader
        if ext_size < ATTRIBUTE_EXT_SIZE:
            raise reader.fail("an element node is too short", offset)
        namespace_index, name_index, start, attribute_size, count, *_ = struct.unpack_from(
            "<IIHHHHHH", reader.data, ext
        )
        if start != ATTRIBUTE_EXT_SIZE or attribute_size != ATTRIBUTE_SIZE:
            raise reader.fail("an element's attribute layout is not the standard one", offset)
        if ext_size != ATTRIBUTE_EXT_SIZE + count * ATTRIBUTE_SIZE:
            raise reader.fail(f"an element's size does not match its {count} attributes", offset)
        if self.root is not None and not self.stack:
            raise reader.fail("the document has more than one root element", offset)
        if len(self.stack) >= limits.MAX_DEPTH:
            raise reader.fail(f"elements nest deeper than {limits.MAX_DEPTH} levels", offset)
        reader.element_count += 1
        if reader.element_count > limits.MAX_ELEMENTS:
            raise reader.fail(f"the document has more than {limits.MAX_ELEMENTS} elements", offset)

        element = Element(
            name=reader.string(name_index, offset),
            namespace=reader.string(namespace_index, offset, allow_none=True),
            line=line,
            comment=comment,
        )
        position = ext + ATTRIBUTE_EXT_SIZE
        for _ in range(count):
            element.attributes.append(self.attribute(offset, position))
            position += ATTRIBUTE_SIZE

        element.namespace_declarations = self.pending
        self.pending = []
        self.namespaces = [(ns, depth, True) for ns, depth, _ in self.namespaces]
        if self.stack:
            self.stack[-1].children.append(element)
        else:
            self.root = element
        self.stack.append(element)

    def attribute(self, offset: int, position: int) -> Attribute:
        reader = self.reader
        namespace_index, name_index, raw_index, value_size, _res0, value_type, data = (
            struct.unpack_from("<IIIHBBI", reader.data, position)
        )
        if value_size != 8:
            raise reader.fail("an attribute value is not 8 bytes", offset)
        name = reader.string(name_index, offset)
        raw = reader.string(raw_index, offset, allow_none=True)
        raw_in_file = True
        if value_type == TYPE_STRING:
            typed = reader.string(data, offset)
            if raw is not None and raw != typed:
                raise reader.fail(f"string attribute '{name}' has two different values", offset)
            raw_in_file, raw = raw is not None, typed
        resource_map = reader.resource_map or []
        resource_id = None
        if name_index < len(resource_map) and resource_map[name_index]:
            resource_id = resource_map[name_index]
        return Attribute(
            namespace=reader.string(namespace_index, offset, allow_none=True),
            name=name,
            resource_id=resource_id,
            value_type=value_type,
            data=data,
            raw=raw,
            raw_in_file=raw_in_file,
        )

    def end_element(self, offset: int, ext: int, line: int) -> None:
        reader = self.reader
        namespace_index, name_index = struct.unpack_from("<II", reader.data, ext)
        if not self.stack:
            raise reader.fail("an element ends that never started", offset)
        element = self.stack[-1]
        namespace = reader.string(namespace_index, offset, allow_none=True)
        if (namespace, reader.string(name_index, offset)) != (element.namespace, element.name):
            raise reader.fail(f"element <{element.name}> is closed by another name", offset)
        if any(depth > len(self.stack) - 1 for _, depth, _ in self.namespaces):
            raise reader.fail("a namespace declared inside an element is still open", offset)
        element.end_line = line
        self.stack.pop()

    def cdata(self, offset: int, ext: int) -> None:
        reader = self.reader
        if not self.stack:
            raise reader.fail("character data outside the root element", offset)
        text = reader.string(struct.unpack_from("<I", reader.data, ext)[0], offset)
        if struct.unpack_from("<H", reader.data, ext + 4)[0] != 8:
            raise reader.fail("character data has a malformed typed value", offset)
        parent = self.stack[-1]
        if parent.children:
            last = parent.children[-1]
            last.tail = (last.tail or "") + text
        else:
            parent.text = (parent.text or "") + text

    def finish(self) -> Element:
        if self.root is None:
            raise self.reader.fail("the document has no root element")
        if self.stack or self.namespaces or self.pending:
            raise self.reader.fail("the document ends before all elements are closed")
        return self.root


def read_document(data: bytes) -> Document:
    """Parse one binary XML document (already known to be bytes)."""
    return _Reader(data).parse()
