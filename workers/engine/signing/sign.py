"""Sign an aligned, unsigned APK with v1 (when needed), v2 and v3 in one streaming pass.

The input's entry bytes are copied unchanged; v1 adds three deflated META-INF entries after
them, then the APK Signing Block goes between the entries and a rewritten central directory.
Memory use stays flat: the file is copied and hashed in 1 MiB chunks.
"""

import contextlib
import hashlib
import logging
import os
import struct
import tempfile
import zlib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from workers.engine.errors import SigningError, VerificationError
from workers.engine.signing import block as signing_block
from workers.engine.signing import jar, layout
from workers.engine.signing.keys import Signer

logger = logging.getLogger(__name__)

V1_AUTO_BELOW_SDK = 24
DOS_DATE_1981 = 0x0221  # 1981-01-01, the fixed timestamp reproducible builds use
COPY_CHUNK = 1 << 20


@dataclass(frozen=True)
class SigningReport:
    """What ``sign_apk`` wrote: schemes, signer, digest algorithm and output size."""

    output: Path
    schemes: tuple[str, ...]
    signer_sha256: str
    digest_algorithm: str
    v1_digest_algorithm: str | None
    output_size: int


def sign_apk(
    unsigned_aligned: Path,
    out: Path,
    signer: Signer,
    *,
    v1: bool | None = None,
    min_sdk: int | None = None,
    in_place: bool = False,
) -> SigningReport:
    """Write ``out`` signed with v2 and v3, plus v1 if asked or if ``min_sdk`` < 24.

    With ``v1=None`` and no ``min_sdk`` the v1 signature is added, because an APK without it
    does not install on Android 6 and older and the cost is small. ``in_place=True`` signs
    the input file itself and renames it to ``out`` (same file system), saving a copy of
    the whole APK; use it for a temporary input only: on failure it may be left truncated.
    """
    source, out = Path(unsigned_aligned), Path(out)
    with_v1 = v1 if v1 is not None else (min_sdk is None or min_sdk < V1_AUTO_BELOW_SDK)
    v1_hash = jar.v1_hash_name(min_sdk)
    if with_v1 and signer.key_kind == "EC" and v1_hash == "sha1":
        raise SigningError(
            f"EC keys cannot make v1 signatures for minSdk {min_sdk} (Android < 4.3 only "
            "verifies RSA and DSA); sign with an RSA key",
            code="signing_key_unsupported",
        )

    out.parent.mkdir(parents=True, exist_ok=True)
    if in_place:
        with source.open("r+b") as handle:
            _write_signed(handle, None, source.stat().st_size, signer, with_v1, v1_hash)
            handle.flush()
            os.fsync(handle.fileno())
        source.replace(out)
        return _report(out, signer, with_v1, v1_hash)

    descriptor, temp_name = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
    temp_path = Path(temp_name)
    try:
        with source.open("rb") as reader, os.fdopen(descriptor, "wb") as writer:
            _write_signed(reader, writer, source.stat().st_size, signer, with_v1, v1_hash)
            writer.flush()
            os.fsync(writer.fileno())
        temp_path.replace(out)
    except BaseException:
        with contextlib.suppress(OSError):
            temp_path.unlink()
        raise
    return _report(out, signer, with_v1, v1_hash)


def _report(out: Path, signer: Signer, with_v1: bool, v1_hash: str) -> SigningReport:
    schemes = ("v1", "v2", "v3") if with_v1 else ("v2", "v3")
    report = SigningReport(
        output=out,
        schemes=schemes,
        signer_sha256=signer.certificate_sha256,
        digest_algorithm="CHUNKED_SHA256",
        v1_digest_algorithm=("SHA-1" if v1_hash == "sha1" else "SHA-256") if with_v1 else None,
        output_size=out.stat().st_size,
    )
    logger.info(
        "signed %s with %s, certificate SHA-256 %s, %d bytes",
        out.name,
        "+".join(schemes),
        report.signer_sha256,
        report.output_size,
    )
    return report


def _write_signed(reader, writer, size: int, signer: Signer, with_v1: bool, v1_hash: str):
    """Sign what ``reader`` holds into ``writer``; with no writer, into the reader itself."""
    apk, entries = _read_unsigned(reader, size, extra_entries=3 if with_v1 else 0)
    reader.seek(apk.cd_offset)
    central_directory = reader.read(apk.cd_size)

    # The JAR digests (inflate + hash every entry) run in a second thread while this one
    # copies and hashes the entries for v2/v3: both release the GIL, so two cores share it.
    content = signing_block.ChunkedDigest("sha256")
    with ThreadPoolExecutor(max_workers=1) as pool:
        pending = (
            pool.submit(_manifest_digests, Path(reader.name), entries, v1_hash)
            if with_v1
            else None
        )
        _copy(reader, writer, apk.entries_end, content)
        jar_digests = pending.result() if pending is not None else None

    if writer is None:
        reader.seek(apk.entries_end)
        reader.truncate()
        writer = reader
    offset = apk.entries_end
    if with_v1:
        for name, data in jar.signature_entries(jar_digests, signer, v1_hash):
            local, record = _deflated_entry(name, data, offset)
            writer.write(local)
            content.update(local)
            central_directory += record
            offset += len(local)
    content.end_section()

    count = len(entries) + (3 if with_v1 else 0)
    eocd = (
        apk.eocd[:8]
        + struct.pack("<HHII", count, count, len(central_directory), offset)
        + apk.eocd[20:]
    )
    content.update(central_directory)
    content.end_section()
    content.update(eocd)
    digest = content.digest()

    block = signing_block.signing_block(
        [
            (signing_block.V2_BLOCK_ID, signing_block.v2_scheme_value(signer, digest)),
            (signing_block.V3_BLOCK_ID, signing_block.v3_scheme_value(signer, digest)),
        ]
    )
    writer.write(block)
    writer.write(central_directory)
    writer.write(signing_block.eocd_pointing_at(eocd, offset + len(block)))


def _read_unsigned(reader, size: int, extra_entries: int):
    """The input's layout and entries, refusing signed inputs and entry-count overflow."""
    try:
        apk = layout.read_layout(reader, size)
        entries = layout.read_central_directory(reader, apk)
    except VerificationError as error:
        raise SigningError(f"cannot sign: {error.message}", code="apk_malformed") from None
    if apk.block is not None or any(jar.is_signature_file(e.name) for e in entries):
        raise SigningError(
            "the input is already signed; strip old signatures first (fusebox sign does)",
            code="apk_already_signed",
        )
    if len(entries) + extra_entries > 0xFFFF:
        raise SigningError(
            "more than 65,535 entries needs ZIP64, which APKs cannot use",
            code="apk_too_many_entries",
        )
    return apk, entries


def _manifest_digests(source: Path, entries, hash_name: str) -> list[tuple[str, bytes]]:
    with source.open("rb") as reader:
        return [
            (entry.name, _entry_digest(reader, entry, hash_name))
            for entry in entries
            if jar.needs_manifest_digest(entry.name)
        ]


def _entry_digest(reader, entry: layout.CentralEntry, hash_name: str) -> bytes:
    digest = hashlib.new(hash_name)
    try:
        for chunk in layout.iter_entry_data(reader, entry):
            digest.update(chunk)
    except (VerificationError, zlib.error) as error:
        raise SigningError(
            f"cannot read entry {entry.name} for the v1 manifest: {error}", code="apk_malformed"
        ) from None
    return digest.digest()


def _copy(reader, writer, length: int, content: signing_block.ChunkedDigest) -> None:
    """Hash the first ``length`` bytes for v2/v3, copying them to ``writer`` if there is one."""
    reader.seek(0)
    remaining = length
    while remaining > 0:
        chunk = reader.read(min(COPY_CHUNK, remaining))
        if not chunk:
            raise SigningError("the input ended while copying its entries", code="apk_malformed")
        if writer is not None:
            writer.write(chunk)
        content.update(chunk)
        remaining -= len(chunk)


def _deflated_entry(name: str, data: bytes, offset: int) -> tuple[bytes, bytes]:
    """Local header + data and the matching central record for one new META-INF entry."""
    encoded = name.encode("utf-8")
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    compressed = compressor.compress(data) + compressor.flush()
    crc = zlib.crc32(data)
    common = struct.pack("<HHHHIII", 0, 8, 0, DOS_DATE_1981, crc, len(compressed), len(data))
    local = (
        b"PK\x03\x04"
        + struct.pack("<H", 20)
        + common
        + struct.pack("<HH", len(encoded), 0)
        + encoded
        + compressed
    )
    record = (
        b"PK\x01\x02"
        + struct.pack("<HH", 20, 20)
        + common
        + struct.pack("<HHHHHII", len(encoded), 0, 0, 0, 0, 0, offset)
        + encoded
    )
    return local, record
