"""A read-only walk over a PKCS#12 file's outer structure, without any password.

`cryptography` returns one key per file and hides the rest, so this walk counts the key bags,
reads their aliases (friendlyName) and names the encryption algorithms in use. Key bags inside
an encrypted container are not visible without the password; keytool and OpenSSL keep key
bags in the clear container (each key is encrypted on its own), so they are counted.
"""

from dataclasses import dataclass, field

OID_DATA = "1.2.840.113549.1.7.1"
OID_ENCRYPTED_DATA = "1.2.840.113549.1.7.6"
OID_KEY_BAG = "1.2.840.113549.1.12.10.1.1"
OID_SHROUDED_KEY_BAG = "1.2.840.113549.1.12.10.1.2"
OID_CERT_BAG = "1.2.840.113549.1.12.10.1.3"
OID_FRIENDLY_NAME = "1.2.840.113549.1.9.20"
OID_LOCAL_KEY_ID = "1.2.840.113549.1.9.21"
OID_PBES2 = "1.2.840.113549.1.5.13"
LEGACY_PBE = {
    "1.2.840.113549.1.12.1.1": "RC4-128",
    "1.2.840.113549.1.12.1.2": "RC4-40",
    "1.2.840.113549.1.12.1.3": "3DES",
    "1.2.840.113549.1.12.1.4": "2-key 3DES",
    "1.2.840.113549.1.12.1.5": "RC2-128",
    "1.2.840.113549.1.12.1.6": "RC2-40",
}

TAG_SEQUENCE = 0x30
TAG_SET = 0x31
TAG_OID = 0x06
TAG_OCTET_STRING = 0x04
TAG_INTEGER = 0x02
TAG_CONTEXT_0 = 0xA0


class StructureError(ValueError):
    """The bytes are not a DER PKCS#12 file."""


@dataclass
class KeyBag:
    alias: str | None
    local_key_id: bytes | None
    encrypted_der: bytes | None
    algorithm: str | None


@dataclass
class P12Structure:
    key_bags: list[KeyBag] = field(default_factory=list)
    encrypted_containers: int = 0
    algorithms: set[str] = field(default_factory=set)

    @property
    def legacy_algorithms(self) -> list[str]:
        return sorted(LEGACY_PBE[oid] for oid in self.algorithms if oid in LEGACY_PBE)

    @property
    def aliases(self) -> list[str]:
        return [bag.alias for bag in self.key_bags if bag.alias is not None]


def _read(data: bytes, position: int) -> tuple[int, int, int]:
    """Return (tag, content start, content end) of the DER element at position."""
    if position + 2 > len(data):
        raise StructureError("truncated element header")
    tag = data[position]
    length = data[position + 1]
    start = position + 2
    if length & 0x80:
        count = length & 0x7F
        if count == 0 or count > 4 or start + count > len(data):
            raise StructureError("unsupported or truncated length")
        length = int.from_bytes(data[start : start + count], "big")
        start += count
    end = start + length
    if end > len(data):
        raise StructureError("element runs past the end of the file")
    return tag, start, end


def _children(data: bytes, start: int, end: int) -> list[tuple[int, int, int]]:
    children = []
    position = start
    while position < end:
        tag, child_start, child_end = _read(data, position)
        children.append((tag, child_start, child_end))
        position = child_end
    return children


def _expect(element: tuple[int, int, int], tag: int) -> tuple[int, int, int]:
    if element[0] != tag:
        raise StructureError(f"expected tag {tag:#x}, found {element[0]:#x}")
    return element


def _oid(data: bytes, element: tuple[int, int, int]) -> str:
    _, start, end = _expect(element, TAG_OID)
    raw = data[start:end]
    if not raw:
        raise StructureError("empty object identifier")
    parts = [raw[0] // 40, raw[0] % 40]
    value = 0
    for byte in raw[1:]:
        value = (value << 7) | (byte & 0x7F)
        if not byte & 0x80:
            parts.append(value)
            value = 0
    return ".".join(str(part) for part in parts)


def inspect_p12(data: bytes) -> P12Structure:
    """Walk PFX -> AuthenticatedSafe -> SafeContents -> SafeBag and collect what is visible."""
    tag, start, end = _read(data, 0)
    if tag != TAG_SEQUENCE or end != len(data):
        raise StructureError("not a single DER sequence")

    pfx = _children(data, start, end)
    if len(pfx) < 2:
        raise StructureError("PFX too short")
    _expect(pfx[0], TAG_INTEGER)
    content_type, content = _content_info(data, pfx[1])
    if content_type != OID_DATA:
        raise StructureError("public-key integrity mode is not supported")

    structure = P12Structure()
    _, safe_start, safe_end = _expect(_read(data, content[1]), TAG_SEQUENCE)
    for container in _children(data, safe_start, safe_end):
        container_type, container_content = _content_info(data, container)
        if container_type == OID_DATA:
            _, bags_start, bags_end = _expect(_read(data, container_content[1]), TAG_SEQUENCE)
            _collect_bags(data, bags_start, bags_end, structure)
        elif container_type == OID_ENCRYPTED_DATA:
            structure.encrypted_containers += 1
            structure.algorithms.add(_encrypted_data_algorithm(data, container_content))
    return structure


def _content_info(data: bytes, element) -> tuple[str, tuple[int, int, int]]:
    _, start, end = _expect(element, TAG_SEQUENCE)
    parts = _children(data, start, end)
    if len(parts) != 2:
        raise StructureError("ContentInfo without content")
    _, inner_start, inner_end = _expect(parts[1], TAG_CONTEXT_0)
    inner = _read(data, inner_start)
    if inner[2] != inner_end:
        raise StructureError("ContentInfo content has trailing bytes")
    return _oid(data, parts[0]), inner


def _encrypted_data_algorithm(data: bytes, element) -> str:
    _, start, end = _expect(element, TAG_SEQUENCE)
    encrypted_content_info = _expect(_children(data, start, end)[1], TAG_SEQUENCE)
    algorithm = _children(data, encrypted_content_info[1], encrypted_content_info[2])[1]
    return _oid(data, _children(data, algorithm[1], algorithm[2])[0])


def _collect_bags(data: bytes, start: int, end: int, structure: P12Structure) -> None:
    for bag in _children(data, start, end):
        _, bag_start, bag_end = _expect(bag, TAG_SEQUENCE)
        parts = _children(data, bag_start, bag_end)
        bag_id = _oid(data, parts[0])
        if bag_id not in (OID_KEY_BAG, OID_SHROUDED_KEY_BAG):
            continue

        _, value_start, value_end = _expect(parts[1], TAG_CONTEXT_0)
        alias, local_key_id = _attributes(data, parts[2] if len(parts) > 2 else None)
        encrypted_der, algorithm = None, None
        if bag_id == OID_SHROUDED_KEY_BAG:
            encrypted_der = data[value_start:value_end]
            info = _read(data, value_start)
            algorithm_element = _children(data, info[1], info[2])[0]
            algorithm = _oid(data, _children(data, algorithm_element[1], algorithm_element[2])[0])
            structure.algorithms.add(algorithm)
        structure.key_bags.append(KeyBag(alias, local_key_id, encrypted_der, algorithm))


def _attributes(data: bytes, element) -> tuple[str | None, bytes | None]:
    alias, local_key_id = None, None
    if element is None or element[0] != TAG_SET:
        return alias, local_key_id

    for attribute in _children(data, element[1], element[2]):
        attribute_id, values = _children(data, attribute[1], attribute[2])
        first = _children(data, values[1], values[2])
        if not first:
            continue
        tag, value_start, value_end = first[0]
        raw = data[value_start:value_end]
        name = _oid(data, attribute_id)
        if name == OID_FRIENDLY_NAME and tag == 0x1E:
            alias = raw.decode("utf-16-be", errors="replace")
        elif name == OID_LOCAL_KEY_ID and tag == TAG_OCTET_STRING:
            local_key_id = raw
    return alias, local_key_id
