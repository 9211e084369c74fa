"""Just enough DER to write and read the PKCS#7 SignedData of a v1 (JAR) signature.

``cryptography`` can build PKCS#7 but not with SHA-1 (which apps with minSdk < 18 need)
and cannot verify it at all, so both directions are done here on plain bytes.
"""

from dataclasses import dataclass

SEQUENCE = 0x30
SET = 0x31
INTEGER = 0x02
OCTET_STRING = 0x04
NULL = 0x05
OID = 0x06
CONTEXT_0 = 0xA0

OID_SIGNED_DATA = "1.2.840.113549.1.7.2"
OID_DATA = "1.2.840.113549.1.7.1"
OID_MESSAGE_DIGEST = "1.2.840.113549.1.9.4"
OID_SHA1 = "1.3.14.3.2.26"
OID_SHA256 = "2.16.840.1.101.3.4.2.1"
OID_SHA384 = "2.16.840.1.101.3.4.2.2"
OID_SHA512 = "2.16.840.1.101.3.4.2.3"
OID_RSA = "1.2.840.113549.1.1.1"
OID_EC_PUBLIC_KEY = "1.2.840.10045.2.1"
OID_DSA = "1.2.840.10040.4.1"


def encode(tag: int, content: bytes) -> bytes:
    length = len(content)
    if length < 0x80:
        return bytes([tag, length]) + content
    size = length.to_bytes((length.bit_length() + 7) // 8, "big")
    return bytes([tag, 0x80 | len(size)]) + size + content


def sequence(*items: bytes) -> bytes:
    return encode(SEQUENCE, b"".join(items))


def set_of(*items: bytes) -> bytes:
    return encode(SET, b"".join(sorted(items)))


def integer(value: int) -> bytes:
    size = value.bit_length() // 8 + 1
    return encode(INTEGER, value.to_bytes(size, "big", signed=True))


def oid(dotted: str) -> bytes:
    parts = [int(part) for part in dotted.split(".")]
    body = bytearray([parts[0] * 40 + parts[1]])
    for part in parts[2:]:
        chunk = [part & 0x7F]
        part >>= 7
        while part:
            chunk.append(0x80 | (part & 0x7F))
            part >>= 7
        body.extend(reversed(chunk))
    return encode(OID, bytes(body))


def algorithm(dotted: str, with_null: bool = True) -> bytes:
    return sequence(oid(dotted), encode(NULL, b"")) if with_null else sequence(oid(dotted))


class DerError(ValueError):
    """The bytes are not the DER structure expected."""


@dataclass(frozen=True)
class Node:
    tag: int
    content: bytes
    raw: bytes

    def children(self) -> list["Node"]:
        nodes, position = [], 0
        while position < len(self.content):
            node, position = read(self.content, position)
            nodes.append(node)
        return nodes

    def oid(self) -> str:
        if self.tag != OID or not self.content:
            raise DerError("expected an OBJECT IDENTIFIER")
        first = self.content[0]
        parts = [min(first // 40, 2), first - 40 * min(first // 40, 2)]
        value = 0
        for byte in self.content[1:]:
            value = (value << 7) | (byte & 0x7F)
            if not byte & 0x80:
                parts.append(value)
                value = 0
        return ".".join(str(part) for part in parts)


def read(data: bytes, position: int = 0) -> tuple[Node, int]:
    """Decode one TLV at ``position``; returns it and the position after it."""
    if position + 2 > len(data):
        raise DerError("truncated DER")
    tag = data[position]
    length = data[position + 1]
    header = 2
    if length & 0x80:
        count = length & 0x7F
        if count == 0 or count > 4 or position + 2 + count > len(data):
            raise DerError("unsupported DER length")
        length = int.from_bytes(data[position + 2 : position + 2 + count], "big")
        header += count
    end = position + header + length
    if end > len(data):
        raise DerError("DER value runs past its container")
    return Node(tag, data[position + header : end], data[position:end]), end
