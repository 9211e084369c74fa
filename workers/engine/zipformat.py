"""Low-level zip structures: a strict, bounds-checked reader and the writer's record packers.

The reader trusts nothing the archive says about itself: every offset and length is checked
against the real file before it is used, and every problem raises ``GateError`` with a
stable code. Python's ``zipfile`` is deliberately not used because it accepts archives that
Android refuses (prefixed data, duplicates, lying headers).
"""

import struct
from dataclasses import dataclass
from typing import BinaryIO

from workers.engine.errors import GateError

LOCAL_SIGNATURE = 0x04034B50
CENTRAL_SIGNATURE = 0x02014B50
EOCD_SIGNATURE = 0x06054B50
ZIP64_EOCD_SIGNATURE = 0x06064B50
ZIP64_LOCATOR_SIGNATURE = 0x07064B50
DESCRIPTOR_SIGNATURE = 0x08074B50

LOCAL_HEADER = struct.Struct("<IHHHHHIIIHH")
CENTRAL_HEADER = struct.Struct("<IHHHHHHIIIHHHHHII")
EOCD = struct.Struct("<IHHHHIIH")
ZIP64_LOCATOR = struct.Struct("<IIQI")
ZIP64_EOCD = struct.Struct("<IQHHIIQQQQ")

MAX_COMMENT = 0xFFFF
SIGNING_BLOCK_MAGIC = b"APK Sig Block 42"
SIGNING_BLOCK_FOOTER = 24
# Real blocks hold a handful of entries (v2, v3, v3.1, stamp, padding); cap the walk.
MAX_SIGNING_BLOCK_PAIRS = 1000
ZIP64_EXTRA_ID = 0x0001
ALIGNMENT_EXTRA_ID = 0xD935

FLAG_ENCRYPTED = 0x0001
FLAG_DATA_DESCRIPTOR = 0x0008
FLAG_STRONG_ENCRYPTION = 0x0040
FLAG_UTF8 = 0x0800

METHOD_STORED = 0
METHOD_DEFLATED = 8


@dataclass(frozen=True)
class EndRecord:
    """Where the central directory lives, as the end record(s) declare it."""

    offset: int
    central_offset: int
    central_size: int
    entry_count: int
    comment_length: int
    zip64: bool
    central_end: int


@dataclass(frozen=True)
class CentralRecord:
    """One central directory record, with ZIP64 fields already resolved."""

    index: int
    name_bytes: bytes
    version_made_by: int
    flags: int
    method: int
    dos_time: int
    dos_date: int
    crc: int
    compressed_size: int
    uncompressed_size: int
    local_offset: int
    external_attributes: int


@dataclass(frozen=True)
class LocalHeader:
    """One local file header; ``data_offset`` is where the entry's compressed bytes begin."""

    flags: int
    method: int
    crc: int
    compressed_size: int
    uncompressed_size: int
    name_bytes: bytes
    extra: bytes
    data_offset: int


def read_exact(stream: BinaryIO, offset: int, length: int, file_size: int, what: str) -> bytes:
    """Read ``length`` bytes at ``offset`` or fail with ``zip_truncated`` naming the structure."""
    if offset < 0 or length < 0 or offset + length > file_size:
        raise GateError(
            f"the {what} at offset {offset} runs past the end of the file ({file_size} bytes)",
            code="zip_truncated",
        )
    stream.seek(offset)
    data = stream.read(length)
    if len(data) != length:
        raise GateError(f"the {what} at offset {offset} is cut short", code="zip_truncated")
    return data


def find_end_record(stream: BinaryIO, file_size: int) -> EndRecord:
    """Locate the one end-of-central-directory record whose comment reaches the file's end."""
    if file_size < EOCD.size:
        raise GateError(f"the file is {file_size} bytes, too small to be a zip", code="not_a_zip")

    window = min(file_size, MAX_COMMENT + EOCD.size)
    tail = read_exact(stream, file_size - window, window, file_size, "end of the archive")
    signature = struct.pack("<I", EOCD_SIGNATURE)

    exact, inexact = [], []
    position = tail.rfind(signature)
    while position >= 0:
        if position + EOCD.size <= len(tail):
            comment_length = struct.unpack_from("<H", tail, position + 20)[0]
            remaining = len(tail) - position - EOCD.size
            (exact if comment_length == remaining else inexact).append((position, remaining))
        position = tail.rfind(signature, 0, position)

    if len(exact) > 1:
        raise GateError(
            "the archive has more than one end-of-central-directory record; "
            "readers would disagree about its contents",
            code="zip_ambiguous_end_record",
        )
    if not exact:
        _raise_missing_end_record(stream, file_size, inexact)

    position = exact[0][0]
    return _parse_end_record(stream, file_size, tail, position, file_size - window + position)


def _raise_missing_end_record(stream: BinaryIO, file_size: int, inexact: list) -> None:
    stream.seek(0)
    starts_like_zip = stream.read(4) == struct.pack("<I", LOCAL_SIGNATURE)
    if inexact:
        _, remaining = inexact[0]
        raise GateError(
            f"{remaining} bytes follow the end-of-central-directory record "
            "that are not its comment; re-export the APK without appended data",
            code="zip_trailing_bytes",
        )
    if starts_like_zip:
        raise GateError(
            "the end-of-central-directory record is missing; the file looks truncated",
            code="zip_truncated",
        )
    raise GateError("the file is not a zip archive (no end record found)", code="not_a_zip")


def _parse_end_record(
    stream: BinaryIO, file_size: int, tail: bytes, position: int, offset: int
) -> EndRecord:
    (_, disk, central_disk, disk_entries, entries, central_size, central_offset, comment) = (
        EOCD.unpack_from(tail, position)
    )
    zip64 = False
    central_end = offset
    locator_offset = offset - ZIP64_LOCATOR.size
    has_locator = locator_offset >= 0 and read_exact(
        stream, locator_offset, 4, file_size, "ZIP64 locator"
    ) == struct.pack("<I", ZIP64_LOCATOR_SIGNATURE)
    needs_zip64 = 0xFFFF in (disk_entries, entries) or 0xFFFFFFFF in (
        central_size,
        central_offset,
    )

    if has_locator:
        zip64 = True
        record = _read_zip64_end(stream, file_size, locator_offset)
        disk, central_disk, disk_entries, entries, central_size, central_offset, central_end = (
            record
        )
    elif needs_zip64:
        raise GateError(
            "the end record points to ZIP64 fields but the ZIP64 locator is missing",
            code="zip_truncated",
        )

    if disk != 0 or central_disk != 0 or disk_entries != entries:
        raise GateError(
            "the archive spans several disks; Android only reads single-file zips",
            code="zip_multi_disk",
        )
    return EndRecord(
        offset=offset,
        central_offset=central_offset,
        central_size=central_size,
        entry_count=entries,
        comment_length=comment,
        zip64=zip64,
        central_end=central_end,
    )


def _read_zip64_end(stream: BinaryIO, file_size: int, locator_offset: int) -> tuple:
    locator = read_exact(stream, locator_offset, ZIP64_LOCATOR.size, file_size, "ZIP64 locator")
    _, record_disk, record_offset, total_disks = ZIP64_LOCATOR.unpack(locator)
    if record_disk != 0 or total_disks not in (0, 1):
        raise GateError("the ZIP64 locator names another disk", code="zip_multi_disk")

    raw = read_exact(stream, record_offset, ZIP64_EOCD.size, file_size, "ZIP64 end record")
    (signature, record_size, _, _, disk, central_disk, disk_entries, entries, size, offset) = (
        ZIP64_EOCD.unpack(raw)
    )
    if signature != ZIP64_EOCD_SIGNATURE or record_offset + 12 + record_size != locator_offset:
        raise GateError(
            "the ZIP64 end record is not where its locator says, or has the wrong size",
            code="zip_bad_central_directory",
        )
    return disk, central_disk, disk_entries, entries, size, offset, record_offset


def read_central_directory(
    stream: BinaryIO, file_size: int, end: EndRecord
) -> list[CentralRecord]:
    """Parse every central record, checking that they fill the directory exactly."""
    _check_directory_bounds(stream, file_size, end)

    records = []
    position = end.central_offset
    for index in range(end.entry_count):
        raw = read_exact(stream, position, CENTRAL_HEADER.size, end.central_end, "central record")
        fields = CENTRAL_HEADER.unpack(raw)
        if fields[0] != CENTRAL_SIGNATURE:
            raise GateError(
                f"central record {index} at offset {position} has a bad signature",
                code="zip_bad_central_directory",
            )
        name_length, extra_length, comment_length = fields[10], fields[11], fields[12]
        variable = name_length + extra_length + comment_length
        body = read_exact(
            stream, position + CENTRAL_HEADER.size, variable, end.central_end, "central record"
        )
        name = body[:name_length]
        extra = body[name_length : name_length + extra_length]
        records.append(_central_record(index, fields, name, extra))
        position += CENTRAL_HEADER.size + variable

    if position != end.central_end:
        raise GateError(
            f"the central directory declares {end.entry_count} entries but "
            f"{end.central_end - position} bytes remain after them",
            code="zip_bad_central_directory",
        )
    return records


def _check_directory_bounds(stream: BinaryIO, file_size: int, end: EndRecord) -> None:
    declared_end = end.central_offset + end.central_size
    if declared_end > end.central_end:
        raise GateError(
            f"the central directory is declared {declared_end - end.central_end} bytes longer "
            "than the space before the end record; the file is truncated or corrupt",
            code="zip_truncated",
        )
    if declared_end < end.central_end:
        real_start = end.central_end - end.central_size
        head = read_exact(stream, real_start, 4, file_size, "central directory")
        if head == struct.pack("<I", CENTRAL_SIGNATURE):
            raise GateError(
                f"{real_start - end.central_offset} bytes precede the zip archive "
                "(data was prepended to it); upload the APK itself",
                code="zip_prefix_bytes",
            )
        raise GateError(
            "there are unexplained bytes between the central directory and the end record",
            code="zip_bad_central_directory",
        )
    if end.entry_count * CENTRAL_HEADER.size > end.central_size:
        raise GateError(
            f"the end record declares {end.entry_count} entries, more than the central "
            "directory can hold",
            code="zip_bad_central_directory",
        )


def _central_record(index: int, fields: tuple, name: bytes, extra: bytes) -> CentralRecord:
    (_, made_by, _, flags, method, dos_time, dos_date, crc, compressed, uncompressed) = fields[:10]
    disk_start, _, external, local_offset = fields[13], fields[14], fields[15], fields[16]

    if 0xFFFFFFFF in (compressed, uncompressed, local_offset) or disk_start == 0xFFFF:
        uncompressed, compressed, local_offset, disk_start = _apply_zip64_extra(
            extra, uncompressed, compressed, local_offset, disk_start, index
        )
    if disk_start != 0:
        raise GateError(f"central record {index} names another disk", code="zip_multi_disk")
    return CentralRecord(
        index=index,
        name_bytes=name,
        version_made_by=made_by,
        flags=flags,
        method=method,
        dos_time=dos_time,
        dos_date=dos_date,
        crc=crc,
        compressed_size=compressed,
        uncompressed_size=uncompressed,
        local_offset=local_offset,
        external_attributes=external,
    )


def _apply_zip64_extra(
    extra: bytes, uncompressed: int, compressed: int, offset: int, disk: int, index: int
) -> tuple[int, int, int, int]:
    data = find_extra(extra, ZIP64_EXTRA_ID)
    if data is None:
        raise GateError(
            f"central record {index} uses ZIP64 sizes without a ZIP64 extra field",
            code="zip_bad_central_directory",
        )
    values = []
    wanted = [(uncompressed, 0xFFFFFFFF, 8), (compressed, 0xFFFFFFFF, 8)]
    wanted += [(offset, 0xFFFFFFFF, 8), (disk, 0xFFFF, 4)]
    position = 0
    for value, marker, width in wanted:
        if value == marker:
            if position + width > len(data):
                raise GateError(
                    f"central record {index} has a short ZIP64 extra field",
                    code="zip_bad_central_directory",
                )
            fmt = "<Q" if width == 8 else "<I"
            value = struct.unpack_from(fmt, data, position)[0]
            position += width
        values.append(value)
    return values[0], values[1], values[2], values[3]


def find_extra(extra: bytes, header_id: int) -> bytes | None:
    """Return the payload of one extra-field block, or None; a malformed list yields None."""
    position = 0
    while position + 4 <= len(extra):
        block_id, size = struct.unpack_from("<HH", extra, position)
        if position + 4 + size > len(extra):
            return None
        if block_id == header_id:
            return extra[position + 4 : position + 4 + size]
        position += 4 + size
    return None


def read_local_header(stream: BinaryIO, offset: int, limit: int) -> LocalHeader:
    """Read the local header at ``offset``; everything it spans must lie before ``limit``."""
    raw = read_exact(stream, offset, LOCAL_HEADER.size, limit, "local header")
    fields = LOCAL_HEADER.unpack(raw)
    if fields[0] != LOCAL_SIGNATURE:
        raise GateError(
            f"no local header at offset {offset} where the central directory points",
            code="zip_header_mismatch",
        )
    (_, _, flags, method, _, _, crc, compressed, uncompressed, name_length, extra_length) = fields
    body = read_exact(
        stream, offset + LOCAL_HEADER.size, name_length + extra_length, limit, "local header"
    )
    return LocalHeader(
        flags=flags,
        method=method,
        crc=crc,
        compressed_size=compressed,
        uncompressed_size=uncompressed,
        name_bytes=body[:name_length],
        extra=body[name_length:],
        data_offset=offset + LOCAL_HEADER.size + name_length + extra_length,
    )


def find_signing_block(stream: BinaryIO, file_size: int, central_offset: int) -> int | None:
    """Return where the APK Signing Block starts, or None; a damaged block is refused.

    The block sits right before the central directory and ends with its size and the magic
    "APK Sig Block 42"; its two size fields must agree and its ID-value pairs must fill it.
    """
    if central_offset < SIGNING_BLOCK_FOOTER:
        return None
    footer = read_exact(
        stream,
        central_offset - SIGNING_BLOCK_FOOTER,
        SIGNING_BLOCK_FOOTER,
        file_size,
        "signing block footer",
    )
    if footer[8:] != SIGNING_BLOCK_MAGIC:
        return None

    size = struct.unpack_from("<Q", footer)[0]
    start = central_offset - size - 8
    if size < SIGNING_BLOCK_FOOTER or start < 0:
        raise GateError(
            "the APK Signing Block declares a size larger than the space before the "
            "central directory",
            code="zip_bad_signing_block",
        )
    leading = struct.unpack("<Q", read_exact(stream, start, 8, file_size, "signing block"))[0]
    if leading != size:
        raise GateError(
            "the APK Signing Block's two size fields disagree", code="zip_bad_signing_block"
        )

    _check_signing_pairs(stream, file_size, start + 8, central_offset - SIGNING_BLOCK_FOOTER)
    return start


def _check_signing_pairs(stream: BinaryIO, file_size: int, position: int, end: int) -> None:
    pairs = 0
    while position < end:
        pairs += 1
        if pairs > MAX_SIGNING_BLOCK_PAIRS:
            raise GateError(
                f"the APK Signing Block holds more than {MAX_SIGNING_BLOCK_PAIRS} entries",
                code="zip_bad_signing_block",
            )
        if position + 8 > end:
            raise GateError(
                "the APK Signing Block ends in the middle of an entry",
                code="zip_bad_signing_block",
            )
        length = struct.unpack("<Q", read_exact(stream, position, 8, file_size, "signing block"))
        if length[0] < 4 or position + 8 + length[0] > end:
            raise GateError(
                "an entry of the APK Signing Block has an impossible length",
                code="zip_bad_signing_block",
            )
        position += 8 + length[0]
