"""Streams one entry's real bytes through CRC-32 and the gate's inflate limits.

Every limit is checked against bytes actually inflated, one chunk at a time, so a header
that lies about sizes cannot make the gate hold or spend more than its budget.
"""

import time
import zlib
from typing import BinaryIO

from workers.engine.errors import GateError
from workers.engine.limits import GateLimits
from workers.engine.zipformat import METHOD_STORED, CentralRecord, LocalHeader


class EntryVerifier:
    """Streams each entry's real bytes through CRC-32 and the inflate limits, chunk by chunk."""

    def __init__(self, stream: BinaryIO, limits: GateLimits, deadline: float):
        self.stream = stream
        self.limits = limits
        self.deadline = deadline
        self.total = 0

    def verify(
        self,
        name: str,
        record: CentralRecord,
        local: LocalHeader,
        keep: int = 0,
        too_big_code: str | None = None,
    ) -> bytes:
        """Check one entry's bytes and return up to ``keep`` leading inflated bytes.

        With ``too_big_code`` the entry must fit in ``keep`` bytes whole, or the check
        fails with that code (the manifest and resource table are parsed whole).
        """
        if record.method == METHOD_STORED and (record.compressed_size != record.uncompressed_size):
            raise GateError(
                f"the stored entry {name!r} declares different compressed and uncompressed sizes",
                code="zip_header_mismatch",
            )

        self.stream.seek(local.data_offset)
        state = _EntryState(name, record, keep, too_big_code)
        if record.method == METHOD_STORED:
            self._read_stored(state)
        else:
            self._read_deflated(state)

        if state.produced != record.uncompressed_size:
            raise GateError(
                f"the entry {name!r} inflates to {state.produced} bytes but the archive "
                f"declares {record.uncompressed_size}",
                code="zip_size_mismatch",
            )
        if state.crc != record.crc:
            raise GateError(
                f"the CRC-32 of {name!r} does not match its contents; the file is corrupt "
                "or was altered",
                code="zip_crc_mismatch",
            )
        return bytes(state.head)

    def _chunks(self, state: "_EntryState"):
        remaining = state.record.compressed_size
        while remaining:
            chunk = self.stream.read(min(self.limits.chunk_bytes, remaining))
            if not chunk:
                raise GateError(f"the data of {state.name!r} is cut short", code="zip_truncated")
            remaining -= len(chunk)
            yield chunk

    def _read_stored(self, state: "_EntryState") -> None:
        for chunk in self._chunks(state):
            state.consumed += len(chunk)
            self._accept(state, chunk)

    def _read_deflated(self, state: "_EntryState") -> None:
        inflater = zlib.decompressobj(-15)
        size = self.limits.chunk_bytes
        try:
            for chunk in self._chunks(state):
                if inflater.eof:
                    break
                state.consumed += len(chunk)
                piece = inflater.decompress(chunk, size)
                self._accept(state, piece, len(inflater.unconsumed_tail))
                while inflater.unconsumed_tail and not inflater.eof:
                    piece = inflater.decompress(inflater.unconsumed_tail, size)
                    self._accept(state, piece, len(inflater.unconsumed_tail))
        except zlib.error as error:
            raise GateError(
                f"the deflate data of {state.name!r} is corrupt ({error})",
                code="zip_corrupt_entry",
            ) from None
        if not inflater.eof or inflater.unused_data or inflater.unconsumed_tail:
            raise GateError(
                f"the deflate stream of {state.name!r} does not end exactly where the archive "
                "says it does",
                code="zip_corrupt_entry",
            )
        if state.consumed != state.record.compressed_size:
            raise GateError(
                f"the deflate stream of {state.name!r} ends before its declared size",
                code="zip_corrupt_entry",
            )

    def _accept(self, state: "_EntryState", data: bytes, unconsumed: int = 0) -> None:
        limits = self.limits
        state.produced += len(data)
        self.total += len(data)
        state.crc = zlib.crc32(data, state.crc)
        if len(state.head) < state.keep:
            state.head += data[: state.keep - len(state.head)]
        if state.too_big_code and state.produced > state.keep:
            raise GateError(
                f"{state.name} is over its {state.keep}-byte limit", code=state.too_big_code
            )

        if state.produced > limits.max_entry_bytes:
            raise GateError(
                f"the entry {state.name!r} inflates to more than {limits.max_entry_bytes} bytes",
                code="zip_bomb",
            )
        if self.total > limits.max_total_bytes:
            raise GateError(
                f"the archive inflates to more than {limits.max_total_bytes} bytes",
                code="zip_bomb",
            )
        consumed = max(state.consumed - unconsumed, 1)
        if state.produced > limits.ratio_floor_bytes and (
            state.produced > limits.max_ratio * consumed
        ):
            raise GateError(
                f"the entry {state.name!r} expands more than {limits.max_ratio}:1; "
                "it looks like a decompression bomb",
                code="zip_bomb",
            )
        if state.produced > state.record.uncompressed_size:
            raise GateError(
                f"the entry {state.name!r} inflates to more than the "
                f"{state.record.uncompressed_size} bytes the archive declares",
                code="zip_size_mismatch",
            )
        if time.monotonic() > self.deadline:
            raise GateError(
                f"checking the archive took longer than {limits.max_seconds:.0f} seconds",
                code="gate_timeout",
            )


class _EntryState:
    __slots__ = ("consumed", "crc", "head", "keep", "name", "produced", "record", "too_big_code")

    def __init__(self, name: str, record: CentralRecord, keep: int, too_big_code: str | None):
        self.name = name
        self.record = record
        self.keep = keep
        self.too_big_code = too_big_code
        self.head = bytearray()
        self.produced = 0
        self.consumed = 0
        self.crc = 0
