"""Locate the parts of an APK that signing and verification need: entries, signing block,
central directory and end record.

This reader is deliberately small and strict: it trusts nothing it has not bounds-checked,
because ``verify_apk`` also runs on arbitrary uploads. It reads the central directory into
memory (a few MB even for 70,000 entries) and never the entry data.
"""

import struct
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

from workers.engine.errors import VerificationError

EOCD_SIGNATURE = b"PK\x05\x06"
EOCD_SIZE = 22
MAX_COMMENT = 0xFFFF
CENTRAL_SIGNATURE = b"PK\x01\x02"
LOCAL_SIGNATURE = b"PK\x03\x04"
BLOCK_MAGIC = b"APK Sig Block 42"
READ_CHUNK = 1 << 20


@dataclass(frozen=True)
class CentralEntry:
    """One central directory record, with the fields signing and verification read."""

    name: str
    method: int
    flags: int
    crc32: int
    compressed_size: int
    uncompressed_size: int
    local_offset: int
    record: bytes


@dataclass(frozen=True)
class ApkLayout:
    """Where each section of the file starts; ``block_offset == cd_offset`` when unsigned."""

    file_size: int
    block_offset: int
    cd_offset: int
    cd_size: int
    eocd_offset: int
    eocd: bytes
    block: bytes | None

    @property
    def entries_end(self) -> int:
        return self.block_offset


def malformed(message: str) -> VerificationError:
    return VerificationError(message, code="apk_malformed")


def read_layout(handle: BinaryIO, file_size: int) -> ApkLayout:
    """Find the end record, central directory and (if present) the APK Signing Block."""
    tail_size = min(file_size, EOCD_SIZE + MAX_COMMENT)
    handle.seek(file_size - tail_size)
    tail = handle.read(tail_size)
    eocd_in_tail = _find_eocd(tail)
    if eocd_in_tail < 0:
        raise malformed(
            "no ZIP end of central directory record: the file is truncated or not an APK"
        )
    eocd_offset = file_size - tail_size + eocd_in_tail
    eocd = tail[eocd_in_tail:]
    cd_size, cd_offset = struct.unpack_from("<II", eocd, 12)
    if cd_offset == 0xFFFFFFFF or cd_size == 0xFFFFFFFF:
        raise malformed("ZIP64 archives are not supported for APK signatures")
    if cd_offset + cd_size != eocd_offset:
        raise malformed("the central directory does not end where the end record starts")

    block, block_offset = _read_signing_block(handle, cd_offset)
    return ApkLayout(
        file_size=file_size,
        block_offset=block_offset,
        cd_offset=cd_offset,
        cd_size=cd_size,
        eocd_offset=eocd_offset,
        eocd=eocd,
        block=block,
    )


def _find_eocd(tail: bytes) -> int:
    """Scan back for an end record whose comment length reaches exactly to the file end."""
    position = len(tail) - EOCD_SIZE
    while position >= 0:
        position = tail.rfind(EOCD_SIGNATURE, 0, position + 4)
        if position < 0:
            return -1
        (comment_length,) = struct.unpack_from("<H", tail, position + 20)
        if position + EOCD_SIZE + comment_length == len(tail):
            return position
        position -= 1
    return -1


def _read_signing_block(handle: BinaryIO, cd_offset: int) -> tuple[bytes | None, int]:
    if cd_offset < 32:
        return None, cd_offset
    handle.seek(cd_offset - 24)
    footer = handle.read(24)
    if footer[8:] != BLOCK_MAGIC:
        return None, cd_offset
    (size_in_footer,) = struct.unpack_from("<Q", footer, 0)
    block_offset = cd_offset - size_in_footer - 8
    if size_in_footer < 24 or block_offset < 0 or size_in_footer > 64 << 20:
        raise malformed("the APK Signing Block declares an impossible size")
    handle.seek(block_offset)
    block = handle.read(size_in_footer + 8)
    (size_in_header,) = struct.unpack_from("<Q", block, 0)
    if size_in_header != size_in_footer:
        raise malformed("the APK Signing Block's two size fields disagree")
    return block, block_offset


def read_central_directory(handle: BinaryIO, layout: ApkLayout) -> list[CentralEntry]:
    handle.seek(layout.cd_offset)
    data = handle.read(layout.cd_size)
    entries = []
    position = 0
    while position < len(data):
        if data[position : position + 4] != CENTRAL_SIGNATURE or position + 46 > len(data):
            raise malformed(f"central directory record {len(entries)} is damaged")
        (
            flags,
            method,
            _,
            _,
            crc,
            compressed,
            uncompressed,
            name_length,
            extra_length,
            comment_length,
            _,
            _,
            _,
            local_offset,
        ) = struct.unpack_from("<HHHHIIIHHHHHII", data, position + 8)
        end = position + 46 + name_length + extra_length + comment_length
        if end > len(data) or local_offset >= layout.block_offset:
            raise malformed(f"central directory record {len(entries)} points outside the file")
        raw_name = data[position + 46 : position + 46 + name_length]
        entries.append(
            CentralEntry(
                name=raw_name.decode("utf-8", "replace"),
                method=method,
                flags=flags,
                crc32=crc,
                compressed_size=compressed,
                uncompressed_size=uncompressed,
                local_offset=local_offset,
                record=data[position:end],
            )
        )
        position = end
    return entries


def iter_entry_data(handle: BinaryIO, entry: CentralEntry) -> Iterator[bytes]:
    """Yield the uncompressed bytes of ``entry`` in chunks (stored or deflate only)."""
    handle.seek(entry.local_offset)
    header = handle.read(30)
    if header[:4] != LOCAL_SIGNATURE or len(header) < 30:
        raise malformed(f"the local header of {entry.name} is missing")
    name_length, extra_length = struct.unpack_from("<HH", header, 26)
    handle.seek(entry.local_offset + 30 + name_length + extra_length)

    if entry.method not in (0, 8):
        raise malformed(f"{entry.name} uses compression method {entry.method}")
    inflater = zlib.decompressobj(-15) if entry.method == 8 else None
    remaining = entry.compressed_size
    produced = 0
    while remaining > 0:
        chunk = handle.read(min(READ_CHUNK, remaining))
        if not chunk:
            raise malformed(f"{entry.name} is truncated")
        remaining -= len(chunk)
        if inflater is None:
            yield chunk
            continue
        while chunk:
            data = inflater.decompress(chunk, READ_CHUNK)
            produced += len(data)
            if produced > entry.uncompressed_size:
                # A bomb must not run verification for hours: stop at the declared size.
                raise malformed(f"{entry.name} inflates past its declared size")
            yield data
            chunk = inflater.unconsumed_tail
    if inflater is not None:
        yield inflater.flush()
