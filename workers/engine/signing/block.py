"""Write the APK Signing Block that carries APK Signature Scheme v2 and v3 signatures.

Both schemes sign the same thing: a digest over 1 MiB chunks of the entries, the central
directory and the end record (with its directory offset pointing at the block), so the
digest is computed once and shared by both signers.
"""

import hashlib
import struct
from collections.abc import Iterable
from typing import BinaryIO

from workers.engine.signing.keys import Signer

V2_BLOCK_ID = 0x7109871A
V3_BLOCK_ID = 0xF05368C0
V31_BLOCK_ID = 0x1B93AD61
STRIPPING_PROTECTION_ATTR_ID = 0xBEEFF00D
V3_SCHEME_ID = 3
CHUNK_SIZE = 1 << 20
V3_MIN_SDK = 28
V3_MAX_SDK = 0x7FFFFFFF

CHUNKED_HASHES = {
    0x0101: "sha256",
    0x0102: "sha512",
    0x0103: "sha256",
    0x0104: "sha512",
    0x0201: "sha256",
    0x0202: "sha512",
    0x0301: "sha256",
}


class ChunkedDigest:
    """Incremental APK content digest: feed the three sections in order, in any slices."""

    def __init__(self, hash_name: str = "sha256"):
        self.hash_name = hash_name
        self.chunk_digests: list[bytes] = []
        self._pending = bytearray()

    def update(self, data: bytes | memoryview) -> None:
        view = memoryview(data)
        while view:
            if not self._pending and len(view) >= CHUNK_SIZE:
                self._add_chunk(view[:CHUNK_SIZE])
                view = view[CHUNK_SIZE:]
                continue
            room = CHUNK_SIZE - len(self._pending)
            self._pending += view[:room]
            view = view[room:]
            if len(self._pending) == CHUNK_SIZE:
                self._add_chunk(self._pending)
                self._pending = bytearray()

    def end_section(self) -> None:
        """Sections never share a chunk: close the partial chunk at each section end."""
        if self._pending:
            self._add_chunk(self._pending)
            self._pending = bytearray()

    def _add_chunk(self, chunk: bytes | bytearray | memoryview) -> None:
        chunk_hash = hashlib.new(self.hash_name, b"\xa5" + struct.pack("<I", len(chunk)))
        chunk_hash.update(chunk)
        self.chunk_digests.append(chunk_hash.digest())

    def digest(self) -> bytes:
        self.end_section()
        top = hashlib.new(self.hash_name)
        top.update(b"\x5a" + struct.pack("<I", len(self.chunk_digests)))
        for chunk_digest in self.chunk_digests:
            top.update(chunk_digest)
        return top.digest()


def digest_file_sections(
    handle: BinaryIO,
    entries_end: int,
    central_directory: bytes | tuple[int, int],
    eocd_for_digest: bytes,
    hash_names: Iterable[str] = ("sha256",),
) -> dict[str, bytes]:
    """Digest entries [0, entries_end) read from ``handle``, then the CD and end record.

    ``central_directory`` is either its bytes or an ``(offset, size)`` to read from the file.
    """
    digests = {name: ChunkedDigest(name) for name in hash_names}

    def feed(start: int, size: int) -> None:
        handle.seek(start)
        remaining = size
        while remaining > 0:
            chunk = handle.read(min(CHUNK_SIZE, remaining))
            if not chunk:
                raise EOFError("file ended inside a signed section")
            remaining -= len(chunk)
            for digest in digests.values():
                digest.update(chunk)

    feed(0, entries_end)
    for digest in digests.values():
        digest.end_section()
    if isinstance(central_directory, tuple):
        feed(*central_directory)
    else:
        for digest in digests.values():
            digest.update(central_directory)
    for digest in digests.values():
        digest.end_section()
        digest.update(eocd_for_digest)
    return {name: digest.digest() for name, digest in digests.items()}


def eocd_pointing_at(eocd: bytes, offset: int) -> bytes:
    """The end record with its central directory offset replaced by ``offset``."""
    return eocd[:16] + struct.pack("<I", offset) + eocd[20:]


def prefixed(data: bytes) -> bytes:
    return struct.pack("<I", len(data)) + data


def prefixed_sequence(items: Iterable[bytes]) -> bytes:
    return prefixed(b"".join(prefixed(item) for item in items))


def _signed_data(
    signer: Signer,
    content_digest: bytes,
    attributes: list[bytes],
    sdk_range: tuple[int, int] | None,
) -> bytes:
    algorithm = signer.signature_algorithm_id
    digests = prefixed_sequence([struct.pack("<I", algorithm) + prefixed(content_digest)])
    certificates = prefixed_sequence([signer.certificate_der])
    sdk = struct.pack("<II", *sdk_range) if sdk_range else b""
    return digests + certificates + sdk + prefixed_sequence(attributes)


def _signer_record(signer: Signer, signed_data: bytes, sdk_range: tuple[int, int] | None):
    signature = signer.sign(signed_data)
    signatures = prefixed_sequence(
        [struct.pack("<I", signer.signature_algorithm_id) + prefixed(signature)]
    )
    sdk = struct.pack("<II", *sdk_range) if sdk_range else b""
    return prefixed(signed_data) + sdk + signatures + prefixed(signer.public_key_der)


def v2_scheme_value(signer: Signer, content_digest: bytes, with_v3: bool = True) -> bytes:
    """The v2 signer sequence; it names v3 as present so removing v3 is detected."""
    attributes = []
    if with_v3:
        attributes.append(
            struct.pack("<I", STRIPPING_PROTECTION_ATTR_ID) + struct.pack("<I", V3_SCHEME_ID)
        )
    signed = _signed_data(signer, content_digest, attributes, None)
    return prefixed_sequence([_signer_record(signer, signed, None)])


def v3_scheme_value(
    signer: Signer, content_digest: bytes, attributes: Iterable[bytes] = ()
) -> bytes:
    """The v3 signer sequence, valid from Android 9 (API 28) on.

    ``attributes`` are encoded (id + value) additional attributes, such as a rotation proof.
    """
    sdk_range = (V3_MIN_SDK, V3_MAX_SDK)
    signed = _signed_data(signer, content_digest, list(attributes), sdk_range)
    return prefixed_sequence([_signer_record(signer, signed, sdk_range)])


def signing_block(pairs: list[tuple[int, bytes]]) -> bytes:
    """Assemble ID-value pairs into an APK Signing Block (size, pairs, size, magic)."""
    body = b"".join(
        struct.pack("<Q", len(value) + 4) + struct.pack("<I", pair_id) + value
        for pair_id, value in pairs
    )
    size = len(body) + 8 + 16
    return struct.pack("<Q", size) + body + struct.pack("<Q", size) + b"APK Sig Block 42"
