"""Helpers the Certified Secure tests share: independent tools run on report files."""

import io
import re
import subprocess

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter


def pdfsig(database: str, path) -> str:
    """Run poppler's pdfsig; it exits 0 whatever it finds, so callers parse the text."""
    completed = subprocess.run(
        ["pdfsig", "-nssdir", database, str(path)], capture_output=True, text=True, check=False
    )
    return completed.stdout + completed.stderr


def signed_ranges(data: bytes) -> list[tuple[int, int]]:
    match = re.search(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]", data)
    start1, length1, start2, length2 = (int(value) for value in match.groups())
    return [(start1, start1 + length1), (start2, start2 + length2)]


def flip_byte(data: bytes, position: int) -> bytes:
    return data[:position] + bytes([data[position] ^ 0x01]) + data[position + 1 :]


def with_annotation(data: bytes) -> bytes:
    """Append an incremental update that adds a note to page 1, as a PDF editor would."""
    writer = IncrementalPdfFileWriter(io.BytesIO(data))
    page_ref = writer.root["/Pages"]["/Kids"][0]
    page = page_ref.get_object()
    note = generic.DictionaryObject(
        {
            generic.NameObject("/Type"): generic.NameObject("/Annot"),
            generic.NameObject("/Subtype"): generic.NameObject("/Text"),
            generic.NameObject("/Rect"): generic.ArrayObject(
                [generic.NumberObject(value) for value in (50, 50, 80, 80)]
            ),
            generic.NameObject("/Contents"): generic.TextStringObject("Verdict overridden"),
        }
    )
    page[generic.NameObject("/Annots")] = generic.ArrayObject([writer.add_object(note)])
    writer.update_container(page)
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


def with_empty_update(data: bytes) -> bytes:
    """Append a second, unsigned revision that only rewrites the document's language."""
    writer = IncrementalPdfFileWriter(io.BytesIO(data))
    writer.root[generic.NameObject("/Lang")] = generic.TextStringObject("de-DE")
    writer.update_root()
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()
