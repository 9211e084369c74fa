"""The APK gate: the first and only code that reads an uploaded APK before it is accepted.

It is at least as strict as Android's own zip reader (libziparchive) so that no later
parser (androguard, aapt, the fusion steps) sees an archive that Android would read
differently: the gaps that the Master Key and Janus attacks used. It never extracts to
disk, holds at most one chunk of inflated data in memory (plus the manifest and resource
table, each under its own limit), and checks every limit against bytes actually inflated.
"""

import functools
import logging
import os
import re
import stat
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from workers.engine import zipformat
from workers.engine.errors import GateError, RejectedInput
from workers.engine.gate_content import check_dex, check_manifest, check_resource_table
from workers.engine.gate_stream import EntryVerifier
from workers.engine.limits import GateLimits
from workers.engine.zipformat import CentralRecord, LocalHeader

logger = logging.getLogger(__name__)

MANIFEST_NAME = "AndroidManifest.xml"
DEX_NAME = re.compile(r"classes\d*\.dex")
RESOURCES_NAME = "resources.arsc"
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")
S_IFMT = 0o170000
S_IFLNK = 0o120000
UNIX_HOSTS = (3, 19)
CHECKED_FLAGS = (
    zipformat.FLAG_ENCRYPTED | zipformat.FLAG_DATA_DESCRIPTOR | zipformat.FLAG_STRONG_ENCRYPTION
)


@dataclass(frozen=True)
class GateEntry:
    """One accepted entry, in file order, with offsets a rewriter can copy from directly."""

    name: str
    method: int
    flags: int
    header_offset: int
    data_offset: int
    end_offset: int
    compressed_size: int
    uncompressed_size: int
    crc: int
    dos_time: int
    dos_date: int

    @property
    def stored(self) -> bool:
        return self.method == zipformat.METHOD_STORED


@dataclass(frozen=True)
class GateReport:
    """What the gate established about an accepted APK."""

    path: Path
    file_size: int
    entries: tuple[GateEntry, ...]
    central_offset: int
    central_size: int
    signing_block_offset: int | None
    manifest: bytes
    package: str
    dex_files: tuple[tuple[str, int], ...]

    def entry(self, name: str) -> GateEntry | None:
        return self._by_name.get(name)

    @functools.cached_property
    def _by_name(self) -> dict[str, GateEntry]:
        return {entry.name: entry for entry in self.entries}

    @property
    def names(self) -> list[str]:
        return [entry.name for entry in self.entries]


def check_upload(path: Path, limits: GateLimits | None = None) -> GateReport:
    """Check a file a user uploaded; an Android App Bundle is refused with a clear reason."""
    return check_apk(path, limits)


def check_apk(path: Path, limits: GateLimits | None = None) -> GateReport:
    """Accept ``path`` as an APK or raise ``GateError`` with a stable code saying why not."""
    limits = limits or GateLimits()
    path = Path(path)
    try:
        report = _check(path, limits)
    except RejectedInput as error:
        logger.info("gate refused %s: %s: %s", path.name, error.code, error.message)
        raise
    logger.debug("gate accepted %s: %d entries", path.name, len(report.entries))
    return report


def _check(path: Path, limits: GateLimits) -> GateReport:
    try:
        stream = path.open("rb")
    except OSError as error:
        raise RejectedInput(f"cannot read the file: {error.strerror}", code="unreadable") from None

    with stream:
        file_size = os.fstat(stream.fileno()).st_size
        if not stat.S_ISREG(os.fstat(stream.fileno()).st_mode):
            raise RejectedInput("the upload is not a regular file", code="unreadable")
        if file_size > limits.max_file_bytes:
            raise GateError(
                f"the file is {file_size} bytes, over the {limits.max_file_bytes}-byte limit",
                code="zip_too_large",
            )
        return _check_stream(path, stream, file_size, limits)


def _check_stream(path: Path, stream: BinaryIO, file_size: int, limits: GateLimits):
    deadline = time.monotonic() + limits.max_seconds
    end = zipformat.find_end_record(stream, file_size)
    if end.entry_count > limits.max_entries:
        raise GateError(
            f"the archive has {end.entry_count} entries, over the limit of {limits.max_entries}",
            code="zip_too_many_entries",
        )

    records = zipformat.read_central_directory(stream, file_size, end)
    names = _check_records(records, limits)
    _refuse_bundles(names)

    signing_block = zipformat.find_signing_block(stream, file_size, end.central_offset)
    content_end = end.central_offset if signing_block is None else signing_block
    layout = _check_layout(stream, records, content_end, signing_block)

    verifier = EntryVerifier(stream, limits, deadline)
    entries, manifest, dex_files = [], None, []
    for record, local, end_offset in layout:
        name = names[record.index]
        keep, too_big_code = _bytes_to_keep(name, limits)
        head = verifier.verify(name, record, local, keep, too_big_code)
        if name == MANIFEST_NAME:
            manifest = head
        if name == RESOURCES_NAME:
            check_resource_table(head)
        if DEX_NAME.fullmatch(name):
            check_dex(name, head)
            dex_files.append((name, record.uncompressed_size))
        entries.append(_gate_entry(name, record, local, end_offset))

    if manifest is None:
        raise GateError(
            "AndroidManifest.xml is missing at the root of the archive", code="manifest_missing"
        )
    package = check_manifest(manifest)
    return GateReport(
        path=path,
        file_size=file_size,
        entries=tuple(entries),
        central_offset=end.central_offset,
        central_size=end.central_size,
        signing_block_offset=signing_block,
        manifest=manifest,
        package=package,
        dex_files=tuple(sorted(dex_files, key=lambda item: _dex_order(item[0]))),
    )


def _bytes_to_keep(name: str, limits: GateLimits) -> tuple[int, str | None]:
    """How much of an entry the content checks need, and the code if it must fit whole."""
    if name == MANIFEST_NAME:
        return limits.max_manifest_bytes, "manifest_malformed"
    if name == RESOURCES_NAME:
        return limits.max_resources_bytes, "resources_malformed"
    return (8 if DEX_NAME.fullmatch(name) else 0), None


def _dex_order(name: str) -> int:
    digits = name[len("classes") : -len(".dex")]
    return int(digits) if digits else 1


def _check_records(records: list[CentralRecord], limits: GateLimits) -> list[str]:
    names, seen = [], set()
    for record in records:
        name = check_entry_name(record.name_bytes, limits.max_name_bytes)
        if name in seen:
            raise GateError(
                f"the entry {name!r} appears more than once; Android and other readers "
                "would disagree about which copy is used",
                code="zip_duplicate_entry",
            )
        seen.add(name)
        names.append(name)

        if record.method not in (zipformat.METHOD_STORED, zipformat.METHOD_DEFLATED):
            raise GateError(
                f"the entry {name!r} uses compression method {record.method}; "
                "APKs may only use stored (0) or deflate (8)",
                code="zip_unsupported_method",
            )
        if record.flags & (zipformat.FLAG_ENCRYPTED | zipformat.FLAG_STRONG_ENCRYPTION):
            raise GateError(
                f"the entry {name!r} is marked encrypted; Android cannot read encrypted entries",
                code="zip_encrypted_entry",
            )
        mode = record.external_attributes >> 16
        if record.version_made_by >> 8 in UNIX_HOSTS and mode & S_IFMT == S_IFLNK:
            raise GateError(
                f"the entry {name!r} is a symbolic link; APKs may not contain links",
                code="zip_symlink_entry",
            )
    return names


def check_entry_name(raw: bytes, max_bytes: int) -> str:
    """Return the entry name as text, refusing names Android or a file system would misread."""
    shown = raw[:80].decode("utf-8", "backslashreplace")
    if not raw or len(raw) > max_bytes:
        raise GateError(
            f"an entry name is empty or longer than {max_bytes} bytes: {shown!r}",
            code="zip_bad_entry_name",
        )
    if b"\x00" in raw:
        raise GateError(f"the entry name {shown!r} contains a NUL byte", code="zip_bad_entry_name")
    try:
        name = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise GateError(
            f"the entry name {shown!r} is not valid UTF-8", code="zip_bad_entry_name"
        ) from None
    if CONTROL_CHARACTERS.search(name):
        raise GateError(
            f"the entry name {name!r} contains a control character (a line break would "
            "forge lines in the JAR signature manifest)",
            code="zip_bad_entry_name",
        )
    if name[0] in "/\\":
        raise GateError(f"the entry name {name!r} is absolute", code="zip_bad_entry_name")
    if ".." in re.split(r"[/\\]", name):
        raise GateError(
            f"the entry name {name!r} climbs out of the archive with '..'",
            code="zip_bad_entry_name",
        )
    return name


def _refuse_bundles(names: Iterable[str]) -> None:
    if any(name == "BundleConfig.pb" or name.startswith("base/manifest/") for name in names):
        raise RejectedInput(
            "this is an Android App Bundle (.aab); upload a universal or base APK built "
            "from it (bundletool build-apks --mode=universal)",
            code="unsupported_format",
        )


def _check_layout(
    stream: BinaryIO, records: list[CentralRecord], content_end: int, signing_block: int | None
) -> list[tuple[CentralRecord, LocalHeader, int]]:
    """Read every local header and prove the entries tile the file from byte 0 without overlap."""
    ordered = sorted(records, key=lambda record: record.local_offset)
    if ordered and ordered[0].local_offset != 0:
        raise GateError(
            f"{ordered[0].local_offset} bytes precede the first zip entry (a Janus-style "
            "prefix); upload the APK itself",
            code="zip_prefix_bytes",
        )

    layout = []
    position = 0
    for record in ordered:
        if record.local_offset < position:
            raise GateError(
                f"entry {record.name_bytes[:80]!r} overlaps the entry before it",
                code="zip_overlapping_entries",
            )
        if record.local_offset > position:
            raise GateError(
                f"{record.local_offset - position} unexplained bytes sit before entry "
                f"{record.name_bytes[:80]!r}",
                code="zip_hidden_data",
            )
        local = _read_local(stream, record, content_end)
        position = _entry_end(stream, record, local, content_end)
        layout.append((record, local, position))

    if signing_block is not None and _is_page_padding(stream, position, content_end):
        return layout
    if position != content_end:
        raise GateError(
            f"{content_end - position} unexplained bytes sit between the last entry and the "
            "central directory",
            code="zip_hidden_data",
        )
    return layout


def _is_page_padding(stream: BinaryIO, start: int, block_start: int) -> bool:
    """apksigner pads with zeros so the signing block starts on a 4 KiB page (for verity)."""
    gap = block_start - start
    if gap <= 0 or gap >= 4096 or block_start % 4096:
        return False
    stream.seek(start)
    return stream.read(gap) == bytes(gap)


def _read_local(stream: BinaryIO, record: CentralRecord, content_end: int) -> LocalHeader:
    try:
        local = zipformat.read_local_header(stream, record.local_offset, content_end)
    except GateError as error:
        if error.code == "zip_truncated":
            raise GateError(
                f"entry {record.name_bytes[:80]!r} overlaps the central directory or runs "
                "past the end of the entries",
                code="zip_overlapping_entries",
            ) from None
        raise

    mismatches = []
    if local.name_bytes != record.name_bytes:
        mismatches.append("name")
    if local.method != record.method:
        mismatches.append("compression method")
    if local.flags & CHECKED_FLAGS != record.flags & CHECKED_FLAGS:
        mismatches.append("flags")
    if not record.flags & zipformat.FLAG_DATA_DESCRIPTOR:
        mismatches += _compare_sizes(local, record, zero_allowed=False)
    else:
        mismatches += _compare_sizes(local, record, zero_allowed=True)
    if mismatches:
        raise GateError(
            f"the local header of {record.name_bytes[:80]!r} disagrees with the central "
            f"directory on {', '.join(mismatches)}",
            code="zip_header_mismatch",
        )
    return local


def _compare_sizes(local: LocalHeader, record: CentralRecord, zero_allowed: bool) -> list[str]:
    compressed, uncompressed = local.compressed_size, local.uncompressed_size
    if 0xFFFFFFFF in (compressed, uncompressed):
        extra = zipformat.find_extra(local.extra, zipformat.ZIP64_EXTRA_ID) or b""
        if len(extra) >= 16:
            uncompressed, compressed = zipformat.struct.unpack_from("<QQ", extra)
    problems = []
    pairs = [
        ("CRC-32", local.crc, record.crc),
        ("compressed size", compressed, record.compressed_size),
        ("uncompressed size", uncompressed, record.uncompressed_size),
    ]
    for label, local_value, central_value in pairs:
        if local_value != central_value and not (zero_allowed and local_value == 0):
            problems.append(label)
    return problems


def _entry_end(
    stream: BinaryIO, record: CentralRecord, local: LocalHeader, content_end: int
) -> int:
    """Where the entry's bytes end: after its data and, if flagged, its data descriptor."""
    data_end = local.data_offset + record.compressed_size
    if data_end > content_end:
        raise GateError(
            f"the data of {record.name_bytes[:80]!r} runs into the central directory",
            code="zip_overlapping_entries",
        )
    if not record.flags & zipformat.FLAG_DATA_DESCRIPTOR:
        return data_end

    wide = zipformat.find_extra(local.extra, zipformat.ZIP64_EXTRA_ID) is not None
    size_format = "<QQ" if wide else "<II"
    head = zipformat.read_exact(stream, data_end, 4, content_end, "data descriptor")
    start = (
        data_end + 4
        if head == zipformat.struct.pack("<I", zipformat.DESCRIPTOR_SIGNATURE)
        else data_end
    )
    length = 4 + zipformat.struct.calcsize(size_format)
    raw = zipformat.read_exact(stream, start, length, content_end, "data descriptor")
    crc = zipformat.struct.unpack_from("<I", raw)[0]
    compressed, uncompressed = zipformat.struct.unpack_from(size_format, raw, 4)
    if (crc, compressed, uncompressed) != (
        record.crc,
        record.compressed_size,
        record.uncompressed_size,
    ):
        raise GateError(
            f"the data descriptor of {record.name_bytes[:80]!r} disagrees with the central "
            "directory",
            code="zip_header_mismatch",
        )
    return start + length


def _gate_entry(name: str, record: CentralRecord, local: LocalHeader, end: int) -> GateEntry:
    return GateEntry(
        name=name,
        method=record.method,
        flags=record.flags,
        header_offset=record.local_offset,
        data_offset=local.data_offset,
        end_offset=end,
        compressed_size=record.compressed_size,
        uncompressed_size=record.uncompressed_size,
        crc=record.crc,
        dos_time=record.dos_time,
        dos_date=record.dos_date,
    )
