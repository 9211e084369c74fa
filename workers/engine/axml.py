"""Read and write Android binary XML (AXML), the format of AndroidManifest.xml inside an APK.

The reader is deliberately stricter than Android: every chunk is bounds-checked and every
size must agree, because a manifest that two parsers read differently is how apps hide
what they really declare. The writer re-encodes a ``Document`` the way aapt lays it out
(attributes sorted by resource id, resource map in step with the string pool), so a parsed
and re-serialized aapt manifest comes back byte for byte.

Android itself installs a manifest whose trailing END_NAMESPACE chunks have size 0 (its
package parser stops at the root's end tag and never validates them); this reader refuses
it, because a file that only parses when the reader stops early is a parser gap.
"""

import logging
import struct
from collections.abc import Iterator
from dataclasses import dataclass, field

from workers.engine.errors import RejectedInput

logger = logging.getLogger(__name__)

ANDROID_NS = "http://schemas.android.com/apk/res/android"

MAX_DOCUMENT_BYTES = 16 * 1024 * 1024
MAX_ELEMENTS = 100_000
MAX_STRINGS = 200_000
MAX_DEPTH = 200

RES_XML_TYPE = 0x0003
RES_XML_START_NAMESPACE_TYPE = 0x0100
RES_XML_END_NAMESPACE_TYPE = 0x0101
RES_XML_START_ELEMENT_TYPE = 0x0102
RES_XML_END_ELEMENT_TYPE = 0x0103
RES_XML_CDATA_TYPE = 0x0104
RES_XML_RESOURCE_MAP_TYPE = 0x0180

NO_INDEX = 0xFFFFFFFF
NODE_HEADER_SIZE = 16
ATTRIBUTE_SIZE = 20
ATTRIBUTE_EXT_SIZE = 20

TYPE_NULL = 0x00
TYPE_REFERENCE = 0x01
TYPE_ATTRIBUTE = 0x02
TYPE_STRING = 0x03
TYPE_FLOAT = 0x04
TYPE_DIMENSION = 0x05
TYPE_FRACTION = 0x06
TYPE_DYNAMIC_REFERENCE = 0x07
TYPE_DYNAMIC_ATTRIBUTE = 0x08
TYPE_INT_DEC = 0x10
TYPE_INT_HEX = 0x11
TYPE_BOOLEAN = 0x12
TYPE_COLOR_FIRST = 0x1C
TYPE_COLOR_LAST = 0x1F

_REFERENCE_TYPES = {
    TYPE_REFERENCE,
    TYPE_ATTRIBUTE,
    TYPE_DYNAMIC_REFERENCE,
    TYPE_DYNAMIC_ATTRIBUTE,
}
_INTEGER_TYPES = {TYPE_INT_DEC, TYPE_INT_HEX}


class AxmlError(RejectedInput):
    """Binary XML that is malformed, tampered with or over the size limits."""

    code = "manifest_malformed"


@dataclass(eq=False)
class Attribute:
    """One attribute of an element; ``data`` is the typed value as Android stores it."""

    namespace: str | None
    name: str
    resource_id: int | None
    value_type: int
    data: int
    raw: str | None = None
    # aapt2 drops the raw text of compiled string attributes in res/xml files; the string
    # then lives only in the typed value, and is written back the same way.
    raw_in_file: bool = True

    @classmethod
    def string(cls, name, text, resource_id=None, namespace=ANDROID_NS) -> "Attribute":
        return cls(namespace, name, resource_id, TYPE_STRING, 0, text)

    @classmethod
    def boolean(cls, name, flag, resource_id=None, namespace=ANDROID_NS) -> "Attribute":
        return cls(namespace, name, resource_id, TYPE_BOOLEAN, 0xFFFFFFFF if flag else 0)

    @classmethod
    def integer(cls, name, number, resource_id=None, namespace=ANDROID_NS) -> "Attribute":
        return cls(namespace, name, resource_id, TYPE_INT_DEC, number & 0xFFFFFFFF)

    @classmethod
    def reference(cls, name, target_id, resource_id=None, namespace=ANDROID_NS) -> "Attribute":
        return cls(namespace, name, resource_id, TYPE_REFERENCE, target_id & 0xFFFFFFFF)

    @property
    def value(self) -> str | bool | int | float | None:
        """The value as Python sees it: str, bool, int (also resource ids), float or None."""
        if self.value_type == TYPE_STRING:
            return self.raw
        if self.value_type == TYPE_BOOLEAN:
            return self.data != 0
        if self.value_type in _INTEGER_TYPES:
            return self.data - (1 << 32) if self.data & 0x80000000 else self.data
        if self.value_type == TYPE_FLOAT:
            return struct.unpack("<f", struct.pack("<I", self.data))[0]
        if self.value_type == TYPE_NULL:
            return None
        return self.data

    def _key(self) -> tuple:
        data = None if self.value_type == TYPE_STRING else self.data
        return (self.namespace, self.name, self.resource_id, self.value_type, data, self.raw)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Attribute) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())


@dataclass
class Namespace:
    """A namespace declaration (``xmlns:prefix="uri"``) scoped to the element it precedes."""

    prefix: str | None
    uri: str
    line: int = field(default=0, compare=False)
    comment: str | None = field(default=None, compare=False)
    end_line: int = field(default=0, compare=False)


@dataclass
class Element:
    """An XML element; ``text`` is character data before the first child, ``tail`` after."""

    name: str
    namespace: str | None = None
    attributes: list[Attribute] = field(default_factory=list)
    children: list["Element"] = field(default_factory=list)
    text: str | None = None
    tail: str | None = None
    namespace_declarations: list[Namespace] = field(default_factory=list)
    line: int = field(default=0, compare=False)
    end_line: int = field(default=0, compare=False)
    comment: str | None = field(default=None, compare=False)

    def find(self, path: str) -> "Element | None":
        """The first element matching a child path such as ``application/provider``."""
        return next(iter(self.find_all(path)), None)

    def find_all(self, path: str) -> list["Element"]:
        """All elements matching a child path such as ``application/activity``."""
        current = [self]
        for step in path.split("/"):
            current = [child for node in current for child in node.children if child.name == step]
        return current

    def iter(self, name: str | None = None) -> Iterator["Element"]:
        """This element and every descendant (depth first), optionally filtered by name."""
        stack = [self]
        while stack:
            node = stack.pop()
            if name is None or node.name == name:
                yield node
            stack.extend(reversed(node.children))

    def attribute(self, name: str, namespace: str | None = ANDROID_NS) -> Attribute | None:
        for attribute in self.attributes:
            if attribute.name == name and attribute.namespace == namespace:
                return attribute
        return None

    def get(self, name: str, namespace: str | None = ANDROID_NS):
        """The Python value of an attribute, or None when the element does not have it."""
        attribute = self.attribute(name, namespace)
        return None if attribute is None else attribute.value

    def set_attribute(self, attribute: Attribute) -> None:
        """Add the attribute, replacing one with the same namespace and name."""
        for index, existing in enumerate(self.attributes):
            if existing.name == attribute.name and existing.namespace == attribute.namespace:
                self.attributes[index] = attribute
                return
        self.attributes.append(attribute)


@dataclass
class Document:
    """A parsed binary XML file; the pool fields keep the original string order for output."""

    root: Element
    strings: list[str] = field(default_factory=list, compare=False, repr=False)
    resource_map: list[int] | None = field(default=None, compare=False, repr=False)
    utf8: bool = field(default=False, compare=False)

    def find(self, path: str) -> Element | None:
        return self.root.find(path)

    def find_all(self, path: str) -> list[Element]:
        return self.root.find_all(path)


def parse(data: bytes) -> Document:
    """Parse binary XML, raising ``AxmlError`` (``manifest_malformed``) for anything off."""
    if not isinstance(data, bytes | bytearray | memoryview):
        raise AxmlError("binary XML must be given as bytes")
    # Imported here: the reader and the writer build on this module's model.
    from workers.engine.axml_reader import read_document

    return read_document(bytes(data))


def serialize(document: Document) -> bytes:
    """Encode a document as binary XML, laid out the way aapt writes it."""
    from workers.engine.axml_writer import write_document

    return write_document(document)


__all__ = [
    "ANDROID_NS",
    "Attribute",
    "AxmlError",
    "Document",
    "Element",
    "Namespace",
    "parse",
    "serialize",
]
