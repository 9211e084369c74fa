"""The string pool chunk shared by binary XML and resources.arsc (ResStringPool).

Both formats keep every string once in a pool and refer to it by index. Reading checks each
offset and length against the pool's bounds; writing always emits the layout aapt uses
(offsets, then strings padded to 4 bytes, then style spans ending in two 0xFFFFFFFF words).
"""

import struct
from dataclasses import dataclass, field

RES_STRING_POOL_TYPE = 0x0001
STRING_POOL_HEADER_SIZE = 28
SORTED_FLAG = 0x1
UTF8_FLAG = 0x100
SPAN_END = 0xFFFFFFFF


class StringPoolError(ValueError):
    """The pool is malformed; callers turn this into their own format's error."""


@dataclass
class StringPool:
    """Decoded strings plus, for the first ``len(styles)`` strings, their style spans."""

    strings: list[str] = field(default_factory=list)
    styles: list[list[tuple[int, int, int]]] = field(default_factory=list)
    utf8: bool = True
    sorted: bool = False


def _utf8_length(data: bytes, position: int, limit: int) -> tuple[int, int]:
    if position >= limit:
        raise StringPoolError("a string length runs past the pool")
    first = data[position]
    if not first & 0x80:
        return first, position + 1
    if position + 1 >= limit:
        raise StringPoolError("a string length runs past the pool")
    return ((first & 0x7F) << 8) | data[position + 1], position + 2


def _utf16_length(data: bytes, position: int, limit: int) -> tuple[int, int]:
    if position + 2 > limit:
        raise StringPoolError("a string length runs past the pool")
    first = struct.unpack_from("<H", data, position)[0]
    if not first & 0x8000:
        return first, position + 2
    if position + 4 > limit:
        raise StringPoolError("a string length runs past the pool")
    second = struct.unpack_from("<H", data, position + 2)[0]
    return ((first & 0x7FFF) << 16) | second, position + 4


def _decode_utf8(data: bytes, position: int, limit: int) -> str:
    _, position = _utf8_length(data, position, limit)
    length, position = _utf8_length(data, position, limit)
    if position + length >= limit or data[position + length] != 0:
        raise StringPoolError("a UTF-8 string runs past the pool or is not terminated")
    try:
        return data[position : position + length].decode("utf-8", "surrogatepass")
    except UnicodeDecodeError:
        raise StringPoolError("a string is not valid UTF-8") from None


def _decode_utf16(data: bytes, position: int, limit: int) -> str:
    length, position = _utf16_length(data, position, limit)
    end = position + 2 * length
    if end + 2 > limit or data[end : end + 2] != b"\0\0":
        raise StringPoolError("a UTF-16 string runs past the pool or is not terminated")
    return data[position:end].decode("utf-16-le", "surrogatepass")


@dataclass(frozen=True)
class _Layout:
    count: int
    style_count: int
    utf8: bool
    sorted: bool
    index_start: int
    strings_base: int
    strings_limit: int
    styles_base: int
    end: int


def _layout(data: bytes, offset: int, max_strings: int) -> _Layout:
    """Check the pool header against the chunk and locate its parts (absolute offsets)."""
    if len(data) - offset < STRING_POOL_HEADER_SIZE:
        raise StringPoolError("the string pool header is truncated")
    _, header_size, size, count, style_count, flags, strings_start, styles_start = (
        struct.unpack_from("<HHIIIIII", data, offset)
    )
    if header_size != STRING_POOL_HEADER_SIZE or size > len(data) - offset:
        raise StringPoolError("the string pool header or size is wrong")
    if count > max_strings or style_count > count:
        raise StringPoolError(f"the string pool declares {count} strings, over the limit")
    offsets_end = header_size + 4 * (count + style_count)
    if offsets_end > size:
        raise StringPoolError("the string offsets run past the pool")
    end = offset + size
    strings_base = offset + strings_start
    strings_limit = offset + styles_start if style_count else end
    if count and not (offsets_end <= strings_start < size and strings_base < strings_limit):
        raise StringPoolError("the string data lies outside the pool")
    if style_count and not (strings_start < styles_start <= size):
        raise StringPoolError("the style data lies outside the pool")
    return _Layout(
        count=count,
        style_count=style_count,
        utf8=bool(flags & UTF8_FLAG),
        sorted=bool(flags & SORTED_FLAG),
        index_start=offset + header_size,
        strings_base=strings_base,
        strings_limit=strings_limit,
        styles_base=offset + styles_start,
        end=end,
    )


def read_string_pool(data: bytes, offset: int, max_strings: int) -> StringPool:
    """Decode the pool chunk at ``offset``; its chunk header was already bounds-checked."""
    layout = _layout(data, offset, max_strings)

    string_offsets = struct.unpack_from(f"<{layout.count}I", data, layout.index_start)
    decode = _decode_utf8 if layout.utf8 else _decode_utf16
    strings = [
        decode(data, layout.strings_base + item, layout.strings_limit) for item in string_offsets
    ]

    style_offsets = struct.unpack_from(
        f"<{layout.style_count}I", data, layout.index_start + 4 * layout.count
    )
    styles = [_read_spans(data, layout.styles_base + item, layout.end) for item in style_offsets]
    return StringPool(strings, styles, layout.utf8, layout.sorted)


def check_string_pool(chunk: bytes, max_strings: int) -> int:
    """Validate an encoded pool's header and layout without decoding; returns its count."""
    return _layout(chunk, 0, max_strings).count


def pool_string(chunk: bytes, index: int) -> str:
    """Decode only string ``index`` of an encoded pool (a large table need not be decoded)."""
    layout = _layout(chunk, 0, 1 << 32)
    if not 0 <= index < layout.count:
        raise StringPoolError(f"string index {index} is outside the pool")
    item = struct.unpack_from("<I", chunk, layout.index_start + 4 * index)[0]
    decode = _decode_utf8 if layout.utf8 else _decode_utf16
    return decode(chunk, layout.strings_base + item, layout.strings_limit)


def _read_spans(data: bytes, position: int, end: int) -> list[tuple[int, int, int]]:
    spans = []
    while True:
        if position + 4 > end:
            raise StringPoolError("a style runs past the pool")
        name = struct.unpack_from("<I", data, position)[0]
        if name == SPAN_END:
            return spans
        if position + 12 > end:
            raise StringPoolError("a style span runs past the pool")
        spans.append(struct.unpack_from("<III", data, position))
        position += 12


def _encode_length_utf8(length: int) -> bytes:
    if length > 0x7FFF:
        raise StringPoolError("a string is too long for a UTF-8 pool")
    return bytes([length]) if length < 0x80 else bytes([0x80 | (length >> 8), length & 0xFF])


def _encode_string(text: str, utf8: bool) -> bytes:
    utf16 = text.encode("utf-16-le", "surrogatepass")
    units = len(utf16) // 2
    if utf8:
        encoded = text.encode("utf-8", "surrogatepass")
        return _encode_length_utf8(units) + _encode_length_utf8(len(encoded)) + encoded + b"\0"
    if units > 0x7FFF:
        prefix = struct.pack("<HH", 0x8000 | (units >> 16), units & 0xFFFF)
    else:
        prefix = struct.pack("<H", units)
    return prefix + utf16 + b"\0\0"


def encode_string_pool(pool: StringPool) -> bytes:
    """Encode the pool chunk (header included), byte-compatible with aapt's layout."""
    count = len(pool.strings)
    style_count = len(pool.styles)
    offsets = []
    blobs = []
    position = 0
    for text in pool.strings:
        blob = _encode_string(text, pool.utf8)
        offsets.append(position)
        blobs.append(blob)
        position += len(blob)
    string_data = b"".join(blobs)
    string_data += b"\0" * (-len(string_data) % 4)

    style_offsets = []
    style_blobs = []
    position = 0
    for spans in pool.styles:
        blob = b"".join(struct.pack("<III", *span) for span in spans)
        blob += struct.pack("<I", SPAN_END)
        style_offsets.append(position)
        style_blobs.append(blob)
        position += len(blob)
    style_data = b"".join(style_blobs)
    if style_count:
        style_data += struct.pack("<II", SPAN_END, SPAN_END)

    header_size = STRING_POOL_HEADER_SIZE
    strings_start = header_size + 4 * (count + style_count) if count else 0
    styles_start = strings_start + len(string_data) if style_count else 0
    size = header_size + 4 * (count + style_count) + len(string_data) + len(style_data)
    flags = (UTF8_FLAG if pool.utf8 else 0) | (SORTED_FLAG if pool.sorted else 0)
    header = struct.pack(
        "<HHIIIIII",
        RES_STRING_POOL_TYPE,
        header_size,
        size,
        count,
        style_count,
        flags,
        strings_start,
        styles_start,
    )
    index = struct.pack(f"<{count}I", *offsets) + struct.pack(f"<{style_count}I", *style_offsets)
    return header + index + string_data + style_data


def append_string(chunk: bytes, text: str) -> tuple[bytes, int]:
    """Add ``text`` at the end of an encoded pool, leaving every existing byte meaning the same.

    Existing indices and style spans stay valid because the new string goes last; the sorted
    flag is cleared since the pool may no longer be in order.
    """
    _, header_size, size, count, style_count, flags, strings_start, styles_start = (
        struct.unpack_from("<HHIIIIII", chunk, 0)
    )
    index_end = header_size + 4 * (count + style_count)
    if not count:
        strings_start = index_end
    strings_end = styles_start if style_count else size
    string_data = chunk[strings_start:strings_end]
    new_offset = len(string_data)
    string_data += _encode_string(text, bool(flags & UTF8_FLAG))
    string_data += b"\0" * (-len(string_data) % 4)
    style_data = chunk[styles_start:size] if style_count else b""

    string_offsets = chunk[header_size : header_size + 4 * count]
    style_offsets = chunk[header_size + 4 * count : index_end]
    new_strings_start = index_end + 4
    new_styles_start = new_strings_start + len(string_data) if style_count else 0
    new_size = new_strings_start + len(string_data) + len(style_data)
    header = struct.pack(
        "<HHIIIIII",
        RES_STRING_POOL_TYPE,
        header_size,
        new_size,
        count + 1,
        style_count,
        flags & ~SORTED_FLAG,
        new_strings_start,
        new_styles_start,
    )
    extra_header = chunk[STRING_POOL_HEADER_SIZE:header_size]
    index = string_offsets + struct.pack("<I", new_offset) + style_offsets
    return header + extra_header + index + string_data + style_data, count
