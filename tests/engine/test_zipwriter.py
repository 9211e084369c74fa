"""The zip record writer the rewrite relies on."""

import io
import zipfile

import pytest

from workers.engine import zipformat, zipwriter


@pytest.mark.parametrize("alignment", [4, 16384])
@pytest.mark.parametrize("offset", [0, 1, 2, 3, 29, 4095, 16383, 16384, 100_001])
@pytest.mark.parametrize("name_length", [1, 14, 27, 200])
def test_alignment_padding_puts_data_on_the_boundary(alignment, offset, name_length):
    extra = zipwriter.alignment_extra(offset, name_length, alignment)

    data_offset = offset + zipformat.LOCAL_HEADER.size + name_length + len(extra)

    assert data_offset % alignment == 0
    assert zipformat.find_extra(extra, zipformat.ALIGNMENT_EXTRA_ID) is not None


def test_packed_records_read_back_with_pythons_zipfile():
    name, data = b"assets/a.txt", b"hello zip"
    crc = zipfile.crc32(data)
    fields = dict(flags=0, method=0, dos_time=0, dos_date=0x21, crc=crc)
    local = zipwriter.pack_local_header(
        **fields,
        compressed_size=len(data),
        uncompressed_size=len(data),
        name=name,
        extra=zipwriter.alignment_extra(0, len(name), 4),
    )
    central = zipwriter.pack_central_record(
        **fields,
        compressed_size=len(data),
        uncompressed_size=len(data),
        name=name,
        local_offset=0,
    )
    body = local + data
    archive = body + central + zipwriter.pack_end_record(1, len(central), len(body))

    with zipfile.ZipFile(io.BytesIO(archive)) as reader:
        assert reader.read("assets/a.txt") == data
