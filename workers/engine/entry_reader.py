"""Read one entry of a gate-checked APK into memory, within the gate's limits.

The gate has already verified every entry's sizes and CRC against the real bytes, so this
reader trusts the offsets in the ``GateReport``; it still caps what it returns, because the
callers (manifest, resource table, network security config) only ever need small entries.
"""

import zlib
from pathlib import Path

from workers.engine import zipformat
from workers.engine.errors import FusionError
from workers.engine.gate import GateReport

MAX_ENTRY_BYTES = 64 * 1024 * 1024


def read_entry(report: GateReport, name: str, max_bytes: int = MAX_ENTRY_BYTES) -> bytes:
    """The uncompressed bytes of entry ``name``; ``KeyError`` when the APK has no such entry."""
    entry = report.entry(name)
    if entry is None:
        raise KeyError(name)
    if entry.uncompressed_size > max_bytes:
        raise FusionError(
            f"{name} is {entry.uncompressed_size} bytes, over the {max_bytes}-byte limit for"
            " entries the fusion edits",
            code="entry_too_large",
        )

    with Path(report.path).open("rb") as stream:
        stream.seek(entry.data_offset)
        raw = stream.read(entry.compressed_size)

    if entry.method == zipformat.METHOD_STORED:
        return raw
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    data = inflater.decompress(raw, max_bytes + 1)
    if len(data) != entry.uncompressed_size:
        raise FusionError(f"{name} changed on disk since the gate read it", code="entry_changed")
    return data
