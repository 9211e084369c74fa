"""Streaming rewrite of a gate-checked APK: copy, replace, add and drop entries, aligned.

Unchanged entries are copied as raw compressed bytes (no inflate/deflate round trip), old
signature files and the APK Signing Block are dropped, and stored entries are aligned as
Android expects, so the output is ready for ``sign_apk``. The output appears atomically:
on any error nothing is left at the destination.
"""

import logging
import os
import tempfile
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from workers.engine import zipformat, zipwriter
from workers.engine.errors import EngineError
from workers.engine.gate import GateEntry, GateReport, check_apk, check_entry_name
from workers.engine.limits import GateLimits

logger = logging.getLogger(__name__)

CHUNK = 1024 * 1024
KERNEL_COPY_MINIMUM = 256 * 1024
# mkstemp creates 0600 files; an APK is not secret, and tools downstream expect to read it.
OUTPUT_MODE = 0o644
WORD_ALIGNMENT = 4
NATIVE_LIBRARY_ALIGNMENT = 16 * 1024
RESOURCES_NAME = "resources.arsc"
SIGNATURE_SUFFIXES = (".SF", ".RSA", ".DSA", ".EC")
KEPT_FLAGS = 0x0806
DEFAULT_DOS_DATE = (1 << 5) | 1
MAX_ZIP32 = 0xFFFFFFFF
MAX_NAME_BYTES = GateLimits().max_name_bytes

EntrySource = bytes | Path


@dataclass(frozen=True)
class WrittenEntry:
    """One entry of the output and how it got there (copied, recompressed, replaced, added)."""

    name: str
    method: int
    header_offset: int
    data_offset: int
    compressed_size: int
    uncompressed_size: int
    crc: int
    origin: str


@dataclass(frozen=True)
class RewriteReport:
    destination: Path
    entries: tuple[WrittenEntry, ...]
    dropped: tuple[str, ...]
    size: int


def is_signature_file(name: str) -> bool:
    """JAR-signing files directly under META-INF/, which a new signature replaces."""
    upper = name.upper()
    if not upper.startswith("META-INF/") or "/" in upper[len("META-INF/") :]:
        return False
    return upper == "META-INF/MANIFEST.MF" or upper.endswith(SIGNATURE_SUFFIXES)


def alignment_for(name: str) -> int:
    """Uncompressed native libraries are mapped straight from the APK, so they need pages."""
    return NATIVE_LIBRARY_ALIGNMENT if name.endswith(".so") else WORD_ALIGNMENT


def rewrite_apk(
    source: Path,
    destination: Path,
    *,
    replace: Mapping[str, EntrySource] | None = None,
    add: Mapping[str, EntrySource] | None = None,
    drop: Callable[[str], bool] | None = None,
    store: Callable[[str], bool] | None = None,
    gate_report: GateReport | None = None,
    limits: GateLimits | None = None,
    durable: bool = True,
) -> RewriteReport:
    """Write ``destination`` from ``source`` with the changes asked for, aligned and unsigned.

    ``store(name)`` returning True keeps an entry uncompressed (existing deflated entries are
    inflated once); new entries are deflated otherwise. ``resources.arsc`` is always stored.
    The source is checked by the gate first unless its ``gate_report`` is passed in.
    ``durable=False`` skips the fsync, for intermediate files that are signed and deleted.
    """
    source, destination = Path(source), Path(destination)
    replace, add = dict(replace or {}), dict(add or {})
    report = gate_report or check_apk(source, limits)
    plan, dropped = _plan(report, replace, add, drop)

    handle, temporary = tempfile.mkstemp(
        dir=destination.parent, prefix=f".{destination.name}.", suffix=".tmp"
    )
    try:
        os.fchmod(handle, OUTPUT_MODE)
        with os.fdopen(handle, "w+b") as output, source.open("rb") as input_stream:
            writer = _ArchiveWriter(output)
            for name, entry, replacement in plan:
                wants_stored = name == RESOURCES_NAME or bool(store and store(name))
                if replacement is not None:
                    origin = "added" if entry is None else "replaced"
                    writer.write_new(name, replacement, wants_stored, origin)
                elif wants_stored and not entry.stored:
                    writer.inflate_to_stored(entry, input_stream)
                else:
                    writer.copy_raw(entry, input_stream)
            size = writer.finish()
            output.flush()
            if durable:
                os.fsync(output.fileno())
        Path(temporary).replace(destination)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise

    logger.info(
        "rewrote %s to %s: %d entries, %d dropped",
        source.name,
        destination.name,
        len(writer.written),
        len(dropped),
    )
    return RewriteReport(destination, tuple(writer.written), tuple(dropped), size)


def _plan(report, replace, add, drop):
    """Decide, in output order, what each entry becomes; refuse contradictory requests.

    Adding a name that is being dropped (an old signature file, say) is allowed: the new
    entry takes its place at the end of the archive.
    """
    plan, dropped = [], []
    for entry in report.entries:
        if is_signature_file(entry.name) or (drop is not None and drop(entry.name)):
            if entry.name in replace:
                raise EngineError(
                    f"{entry.name!r} is both replaced and dropped", "rewrite_request"
                )
            dropped.append(entry.name)
            continue
        plan.append((entry.name, entry, replace.get(entry.name)))

    kept = {name for name, _, _ in plan}
    for name in replace:
        if name not in kept:
            raise EngineError(
                f"cannot replace {name!r}: the APK has no such entry", "rewrite_request"
            )
    for name in add:
        check_entry_name(name.encode("utf-8"), MAX_NAME_BYTES)
        if name in kept:
            raise EngineError(f"cannot add {name!r}: the APK already has it", "rewrite_request")
    plan += [(name, None, data) for name, data in add.items()]
    return plan, dropped


class _ArchiveWriter:
    """Appends entries to a new zip, tracking offsets for the central directory."""

    def __init__(self, output: BinaryIO):
        self.output = output
        self.offset = 0
        self.kernel_copy = hasattr(os, "copy_file_range")
        self.central: list[bytes] = []
        self.written: list[WrittenEntry] = []

    def copy_raw(self, entry: GateEntry, source: BinaryIO) -> None:
        header_offset = self.offset
        header = self._header(entry.name, entry.method, entry.flags & KEPT_FLAGS, entry)
        self._write(header)
        if not self._copy_in_kernel(source, entry.data_offset, entry.compressed_size):
            self._copy_in_chunks(entry, source)
        self._record(entry.name, entry.method, entry.flags & KEPT_FLAGS, entry, header_offset)
        self._note(entry.name, entry.method, header_offset, len(header), entry, "copied")

    def _copy_in_kernel(self, source: BinaryIO, offset: int, length: int) -> bool:
        """Copy with ``copy_file_range`` so large entries never pass through Python.

        Returns False (nothing copied) where the kernel or file system cannot do it.
        """
        if not self.kernel_copy or length < KERNEL_COPY_MINIMUM:
            return False
        self.output.flush()
        position, copied = self.offset, 0
        try:
            while copied < length:
                count = os.copy_file_range(
                    source.fileno(),
                    self.output.fileno(),
                    min(length - copied, 1 << 30),
                    offset + copied,
                    position + copied,
                )
                if count == 0:
                    raise EngineError("the source APK changed while it was being copied")
                copied += count
        except OSError:
            if copied:
                raise
            self.kernel_copy = False
            return False
        self.output.seek(position + length)
        self.offset = position + length
        self._check_zip32("the archive", self.offset)
        return True

    def _copy_in_chunks(self, entry: GateEntry, source: BinaryIO) -> None:
        source.seek(entry.data_offset)
        remaining = entry.compressed_size
        while remaining:
            chunk = source.read(min(CHUNK, remaining))
            if not chunk:
                raise EngineError(f"the source APK changed while {entry.name!r} was copied")
            self._write(chunk)
            remaining -= len(chunk)

    def inflate_to_stored(self, entry: GateEntry, source: BinaryIO) -> None:
        header_offset = self.offset
        stored = _Sizes(entry.crc, entry.uncompressed_size, entry.uncompressed_size)
        header = self._header(entry.name, zipformat.METHOD_STORED, 0, stored)
        self._write(header)
        source.seek(entry.data_offset)
        inflater = zlib.decompressobj(-15)
        remaining = entry.compressed_size
        while remaining:
            chunk = source.read(min(CHUNK, remaining))
            if not chunk:
                raise EngineError(f"the source APK changed while {entry.name!r} was copied")
            remaining -= len(chunk)
            self._write(inflater.decompress(chunk, CHUNK))
            while inflater.unconsumed_tail:
                self._write(inflater.decompress(inflater.unconsumed_tail, CHUNK))
        self._write(inflater.flush())
        self._record(entry.name, zipformat.METHOD_STORED, 0, stored, header_offset)
        self._note(entry.name, 0, header_offset, len(header), stored, "recompressed")

    def write_new(self, name: str, data: EntrySource, stored: bool, origin: str) -> None:
        """Write new content; the header is patched with CRC and sizes once they are known."""
        method = zipformat.METHOD_STORED if stored else zipformat.METHOD_DEFLATED
        flags = 0x0800 if not name.isascii() else 0
        header_offset = self.offset
        header = self._header(name, method, flags, _Sizes(0, 0, 0))
        self._write(header)

        compressor = None if stored else zlib.compressobj(6, zlib.DEFLATED, -15)
        sizes = _Sizes(0, 0, 0)
        for chunk in _chunks_of(data):
            sizes.crc = zlib.crc32(chunk, sizes.crc)
            sizes.uncompressed_size += len(chunk)
            out = compressor.compress(chunk) if compressor else chunk
            sizes.compressed_size += len(out)
            self._write(out)
        if compressor:
            tail = compressor.flush()
            sizes.compressed_size += len(tail)
            self._write(tail)

        self._check_zip32(name, sizes.uncompressed_size)
        end = self.offset
        self.output.seek(header_offset + 14)
        self.output.write(
            zipformat.struct.pack(
                "<III", sizes.crc, sizes.compressed_size, sizes.uncompressed_size
            )
        )
        self.output.seek(end)
        self._record(name, method, flags, sizes, header_offset)
        self._note(name, method, header_offset, len(header), sizes, origin)

    def finish(self) -> int:
        central_offset = self.offset
        for record in self.central:
            self._write(record)
        central_size = self.offset - central_offset
        if len(self.central) > 0xFFFF:
            raise EngineError(
                "the output would need ZIP64 (over 65,535 entries)", "rewrite_request"
            )
        self._write(zipwriter.pack_end_record(len(self.central), central_size, central_offset))
        return self.offset

    def _header(self, name: str, method: int, flags: int, sizes) -> bytes:
        encoded = name.encode("utf-8")
        extra = b""
        if method == zipformat.METHOD_STORED:
            extra = zipwriter.alignment_extra(self.offset, len(encoded), alignment_for(name))
        return zipwriter.pack_local_header(
            flags=flags,
            method=method,
            dos_time=getattr(sizes, "dos_time", 0),
            dos_date=getattr(sizes, "dos_date", DEFAULT_DOS_DATE),
            crc=sizes.crc,
            compressed_size=sizes.compressed_size,
            uncompressed_size=sizes.uncompressed_size,
            name=encoded,
            extra=extra,
        )

    def _record(self, name: str, method: int, flags: int, sizes, header_offset: int) -> None:
        self._check_zip32(name, header_offset)
        self.central.append(
            zipwriter.pack_central_record(
                flags=flags,
                method=method,
                dos_time=getattr(sizes, "dos_time", 0),
                dos_date=getattr(sizes, "dos_date", DEFAULT_DOS_DATE),
                crc=sizes.crc,
                compressed_size=sizes.compressed_size,
                uncompressed_size=sizes.uncompressed_size,
                name=name.encode("utf-8"),
                local_offset=header_offset,
            )
        )

    def _note(self, name, method, header_offset, header_length, sizes, origin) -> None:
        self.written.append(
            WrittenEntry(
                name=name,
                method=method,
                header_offset=header_offset,
                data_offset=header_offset + header_length,
                compressed_size=sizes.compressed_size,
                uncompressed_size=sizes.uncompressed_size,
                crc=sizes.crc,
                origin=origin,
            )
        )

    def _write(self, data: bytes) -> None:
        self.output.write(data)
        self.offset += len(data)
        self._check_zip32("the archive", self.offset)

    @staticmethod
    def _check_zip32(name: str, value: int) -> None:
        if value > MAX_ZIP32:
            raise EngineError(
                f"{name} would pass 4 GiB, which needs ZIP64; APKs stay below that",
                "rewrite_request",
            )


class _Sizes:
    __slots__ = ("compressed_size", "crc", "uncompressed_size")

    def __init__(self, crc: int, compressed_size: int, uncompressed_size: int):
        self.crc = crc
        self.compressed_size = compressed_size
        self.uncompressed_size = uncompressed_size


def _chunks_of(data: EntrySource):
    if isinstance(data, bytes | bytearray | memoryview):
        view = memoryview(data)
        for start in range(0, len(view), CHUNK):
            yield bytes(view[start : start + CHUNK])
        return
    with Path(data).open("rb") as stream:
        while chunk := stream.read(CHUNK):
            yield chunk


def check_alignment(path: Path, gate_report: GateReport | None = None) -> list[str]:
    """List alignment problems Android would care about; an empty list means all is well."""
    report = gate_report or check_apk(Path(path))
    problems = []
    for entry in report.entries:
        if entry.name == RESOURCES_NAME and not entry.stored:
            problems.append("resources.arsc is compressed; it must be stored")
        if entry.stored and entry.data_offset % alignment_for(entry.name):
            problems.append(
                f"{entry.name} starts at offset {entry.data_offset}, not on a "
                f"{alignment_for(entry.name)}-byte boundary"
            )
    return problems
