"""Builders of hostile and unusual zip archives for the gate's tests.

This is a small, independent zip writer (it shares no code with the engine) that can lie in
every field: names, methods, flags, sizes, CRCs, offsets, end records. Each ``make_*``
function returns the bytes of one archive that exercises one rejection.
"""

import struct
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

LOCAL = struct.Struct("<IHHHHHIIIHH")
CENTRAL = struct.Struct("<IHHHHHHIIIHHHHHII")
EOCD = struct.Struct("<IHHHHIIH")
ZIP64_EOCD = struct.Struct("<IQHHIIQQQQ")
ZIP64_LOCATOR = struct.Struct("<IIQI")
JPEG_HEADER = bytes.fromhex("ffd8ffe000104a46494600010100000100010000ffdb0043") + bytes(64)
SIGNATURE_FILES = ("META-INF/",)


def deflate(data: bytes, level: int = 9) -> bytes:
    compressor = zlib.compressobj(level, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush()


def deflate_zeros(size: int) -> bytes:
    """Deflate ``size`` zero bytes without holding them all in memory."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = bytes(1024 * 1024)
    parts = []
    remaining = size
    while remaining:
        piece = min(remaining, len(block))
        parts.append(compressor.compress(block[:piece]))
        remaining -= piece
    parts.append(compressor.flush())
    return b"".join(parts)


def crc_of_zeros(size: int) -> int:
    crc, block, remaining = 0, bytes(1024 * 1024), size
    while remaining:
        piece = min(remaining, len(block))
        crc = zlib.crc32(block[:piece], crc)
        remaining -= piece
    return crc


@dataclass
class RawEntry:
    """One entry as written; every ``local_*``/``central_*`` field overrides what is true."""

    name: bytes
    data: bytes = b""
    method: int = 8
    flags: int = 0
    made_by: int = 20
    external: int = 0
    payload: bytes | None = None
    crc: int | None = None
    size: int | None = None
    local_name: bytes | None = None
    local_method: int | None = None
    local_crc: int | None = None
    local_compressed: int | None = None
    central_compressed: int | None = None
    central_uncompressed: int | None = None
    descriptor: bool = False
    gap_before: bytes = b""
    extra: bytes = b""
    offset_shift: int = 0
    computed: dict = field(default_factory=dict)

    def compressed(self) -> bytes:
        if self.payload is not None:
            return self.payload
        return deflate(self.data) if self.method == 8 else self.data


def build_zip(
    entries: list[RawEntry],
    *,
    prefix: bytes = b"",
    prefix_in_offsets: bool = False,
    comment: bytes = b"",
    trailing: bytes = b"",
    before_central: bytes = b"",
    zip64: bool = False,
    central_size_delta: int = 0,
) -> bytes:
    """Serialise ``entries``; ``prefix`` is prepended (offsets adjusted only if asked)."""
    body = bytearray()
    base = len(prefix) if prefix_in_offsets else 0
    records = []
    for entry in entries:
        body += entry.gap_before
        payload = entry.compressed()
        crc = entry.crc if entry.crc is not None else zlib.crc32(entry.data)
        size = entry.size if entry.size is not None else len(entry.data)
        offset = base + len(body)
        name = entry.local_name if entry.local_name is not None else entry.name
        flags = entry.flags | (0x0008 if entry.descriptor else 0)
        local_sizes = (0, 0, 0) if entry.descriptor else (crc, len(payload), size)
        local_crc = entry.local_crc if entry.local_crc is not None else local_sizes[0]
        local_compressed = (
            entry.local_compressed if entry.local_compressed is not None else local_sizes[1]
        )
        body += LOCAL.pack(
            0x04034B50,
            20,
            flags,
            entry.local_method if entry.local_method is not None else entry.method,
            0,
            0x21,
            local_crc,
            local_compressed,
            local_sizes[2],
            len(name),
            len(entry.extra),
        )
        body += name + entry.extra + payload
        if entry.descriptor:
            body += struct.pack("<IIII", 0x08074B50, crc, len(payload), size)
        central_compressed = (
            entry.central_compressed if entry.central_compressed is not None else len(payload)
        )
        central_uncompressed = (
            entry.central_uncompressed if entry.central_uncompressed is not None else size
        )
        records.append(
            CENTRAL.pack(
                0x02014B50,
                entry.made_by,
                20,
                flags,
                entry.method,
                0,
                0x21,
                crc,
                central_compressed,
                central_uncompressed,
                len(entry.name),
                0,
                0,
                0,
                0,
                entry.external,
                offset + entry.offset_shift,
            )
            + entry.name
        )

    body += before_central
    central_offset = base + len(body)
    central = b"".join(records)
    count = len(records)
    end = b""
    if zip64:
        zip64_offset = central_offset + len(central)
        end += ZIP64_EOCD.pack(
            0x06064B50, 44, 45, 45, 0, 0, count, count, len(central), central_offset
        )
        end += ZIP64_LOCATOR.pack(0x07064B50, 0, zip64_offset, 1)
        end += EOCD.pack(0x06054B50, 0, 0, 0xFFFF, 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF, len(comment))
    else:
        end += EOCD.pack(
            0x06054B50,
            0,
            0,
            count,
            count,
            len(central) + central_size_delta,
            central_offset,
            len(comment),
        )
    return prefix + bytes(body) + central + end + comment + trailing


def app_entries(apk: Path) -> list[RawEntry]:
    """The entries of a real app (read with Python's zipfile), without its signature files."""
    entries = []
    with zipfile.ZipFile(apk) as archive:
        for info in archive.infolist():
            if info.filename.startswith(SIGNATURE_FILES):
                continue
            method = 0 if info.compress_type == zipfile.ZIP_STORED else 8
            entries.append(RawEntry(info.filename.encode(), archive.read(info), method=method))
    return entries


def with_entry(apk: Path, entry: RawEntry, **options) -> bytes:
    return build_zip([*app_entries(apk), entry], **options)


def make_deflate_bomb(apk: Path, size: int = 64 * 1024 * 1024) -> bytes:
    """A 1000:1 entry: ``size`` zero bytes deflated to about size/1030."""
    payload = deflate_zeros(size)
    bomb = RawEntry(b"assets/zeros.bin", payload=payload, crc=crc_of_zeros(size), size=size)
    return with_entry(apk, bomb)


def make_inner_bomb_zip(size: int = 64 * 1024 * 1024) -> bytes:
    payload = deflate_zeros(size)
    return build_zip([RawEntry(b"zeros.bin", payload=payload, crc=crc_of_zeros(size), size=size)])


def make_nested_bomb_stored(apk: Path) -> bytes:
    """A bomb zip stored as an asset: harmless unless something opens the inner zip."""
    inner = make_inner_bomb_zip()
    return with_entry(apk, RawEntry(b"assets/inner.zip", inner, method=0))


def make_nested_bomb_deflated(apk: Path, inner_size: int = 32 * 1024 * 1024) -> bytes:
    """An inner zip of stored zeros, deflated in the outer archive: the outer ratio betrays it."""
    zeros = bytes(inner_size)
    inner = build_zip([RawEntry(b"zeros.bin", zeros, method=0)])
    return with_entry(apk, RawEntry(b"assets/inner.zip", inner, method=8))


def make_many_entries(count: int = 70_000) -> bytes:
    entries = [RawEntry(f"assets/{index}".encode(), b"", method=0) for index in range(count)]
    return build_zip(entries, zip64=count > 0xFFFF)


def make_jpeg_with_zip(apk: Path) -> bytes:
    return build_zip(app_entries(apk), prefix=JPEG_HEADER)


def make_janus_style(apk: Path) -> bytes:
    return build_zip(app_entries(apk), prefix=b"dex\n035\x00" + bytes(120), prefix_in_offsets=True)


def make_overlapping(apk: Path) -> bytes:
    entries = app_entries(apk)
    entries[1].offset_shift = -20
    return build_zip(entries)
