"""List the classes a DEX file defines, reading only its header and id tables.

``check-fused`` needs to know whether the runtime's classes are really in the app, from the
bytes alone and without loading the whole of a large DEX into a decompiler.
"""

import struct

from workers.engine.errors import VerificationError

HEADER_SIZE = 0x70
MAX_CLASSES = 1_000_000


def class_descriptors(dex: bytes) -> list[str]:
    """Descriptors (``Lcom/example/Foo;``) of every class defined in ``dex``."""
    if len(dex) < HEADER_SIZE or not dex.startswith(b"dex\n"):
        raise VerificationError("not a DEX file", code="dex_malformed")

    string_count, string_offset, type_count, type_offset = struct.unpack_from("<4I", dex, 0x38)
    class_count, class_offset = struct.unpack_from("<2I", dex, 0x60)
    if class_count > MAX_CLASSES:
        raise VerificationError("the DEX declares too many classes", code="dex_malformed")

    descriptors = []
    try:
        for index in range(class_count):
            (type_index,) = struct.unpack_from("<I", dex, class_offset + index * 32)
            if type_index >= type_count:
                raise VerificationError("a class refers to a missing type", code="dex_malformed")
            (string_index,) = struct.unpack_from("<I", dex, type_offset + type_index * 4)
            if string_index >= string_count:
                raise VerificationError("a type refers to a missing string", code="dex_malformed")
            (data_offset,) = struct.unpack_from("<I", dex, string_offset + string_index * 4)
            descriptors.append(_string_at(dex, data_offset))
    except struct.error:
        raise VerificationError(
            "the DEX id tables run past its end", code="dex_malformed"
        ) from None
    return descriptors


def _string_at(dex: bytes, offset: int) -> str:
    """A string_data_item: ULEB128 length in UTF-16 units, then MUTF-8 bytes and a NUL."""
    position = offset
    for _ in range(5):
        if position >= len(dex):
            raise VerificationError("a DEX string runs past its end", code="dex_malformed")
        byte = dex[position]
        position += 1
        if byte < 0x80:
            break
    end = dex.find(b"\x00", position)
    if end < 0:
        raise VerificationError("a DEX string is not terminated", code="dex_malformed")
    return dex[position:end].decode("utf-8", errors="replace")
