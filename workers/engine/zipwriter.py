"""Zip records the rewrite writes: local headers, central records, the end record, padding.

The writer never emits data descriptors, extra fields other than alignment padding, file
attributes or comments, so what it produces is the plainest archive Android reads.
"""

import struct

from workers.engine.zipformat import (
    ALIGNMENT_EXTRA_ID,
    CENTRAL_HEADER,
    CENTRAL_SIGNATURE,
    EOCD,
    EOCD_SIGNATURE,
    LOCAL_HEADER,
    LOCAL_SIGNATURE,
    METHOD_DEFLATED,
)


def pack_local_header(
    *,
    flags: int,
    method: int,
    dos_time: int,
    dos_date: int,
    crc: int,
    compressed_size: int,
    uncompressed_size: int,
    name: bytes,
    extra: bytes,
) -> bytes:
    """Serialise a local header; the writer never uses data descriptors."""
    version = 20 if method == METHOD_DEFLATED else 10
    fixed = LOCAL_HEADER.pack(
        LOCAL_SIGNATURE,
        version,
        flags,
        method,
        dos_time,
        dos_date,
        crc,
        compressed_size,
        uncompressed_size,
        len(name),
        len(extra),
    )
    return fixed + name + extra


def pack_central_record(
    *,
    flags: int,
    method: int,
    dos_time: int,
    dos_date: int,
    crc: int,
    compressed_size: int,
    uncompressed_size: int,
    name: bytes,
    local_offset: int,
) -> bytes:
    """Serialise a central record with no extra field, comment or file attributes."""
    version = 20 if method == METHOD_DEFLATED else 10
    fixed = CENTRAL_HEADER.pack(
        CENTRAL_SIGNATURE,
        version,
        version,
        flags,
        method,
        dos_time,
        dos_date,
        crc,
        compressed_size,
        uncompressed_size,
        len(name),
        0,
        0,
        0,
        0,
        0,
        local_offset,
    )
    return fixed + name


def pack_end_record(entry_count: int, central_size: int, central_offset: int) -> bytes:
    return EOCD.pack(
        EOCD_SIGNATURE, 0, 0, entry_count, entry_count, central_size, central_offset, 0
    )


def alignment_extra(header_offset: int, name_length: int, alignment: int) -> bytes:
    """Build the extra field that puts an entry's data on an ``alignment`` boundary.

    Uses the 0xD935 block apksigner writes (a 2-byte alignment value then zero padding),
    so other tools recognise it as padding.
    """
    data_start = header_offset + LOCAL_HEADER.size + name_length
    minimum = 6
    padding = (-(data_start + minimum)) % alignment
    return struct.pack("<HHH", ALIGNMENT_EXTRA_ID, 2 + padding, alignment) + bytes(padding)
