"""The APK gate accepts real apps and refuses every hostile archive with its own code."""

import struct
import time
import zipfile

import pytest

from tests.engine import hostile
from tests.engine.hostile import RawEntry
from tests.support.android import ACCEPTED_CORPUS, corpus_file
from workers.engine import axml
from workers.engine.errors import GateError, RejectedInput
from workers.engine.gate import check_apk, check_upload
from workers.engine.limits import GateLimits

REJECTED_CORPUS = {
    "GHSA-2hqv-2xv4-5h5w.apk": "resources_bad_name",
    "issue1589.apk": "zip_bad_entry_name",
    "janus.apk": "zip_prefix_bytes",
    "modded.apk": "zip_duplicate_entry",
    "minimal_SIZE_ExtraField.apk": "zip_bad_central_directory",
    "minimal_zero_sized_end_ns.apk": "manifest_malformed",
    "v2-only-truncated-cd.apk": "zip_truncated",
    "weird-compression-method.apk": "zip_unsupported_method",
    "invalid_manifest.apk": "not_a_zip",
    "install-time-permanent-modules.aab": "unsupported_format",
}


def _refusal(tmp_path, data: bytes, limits: GateLimits | None = None) -> GateError:
    path = tmp_path / "upload.apk"
    path.write_bytes(data)
    with pytest.raises(RejectedInput) as caught:
        check_apk(path, limits)
    return caught.value


@pytest.mark.parametrize("name", ACCEPTED_CORPUS)
def test_it_accepts_every_real_app_of_the_corpus(name):
    path = corpus_file(name)

    report = check_apk(path)

    with zipfile.ZipFile(path) as archive:
        assert sorted(report.names) == sorted(archive.namelist())
        for entry in report.entries:
            info = archive.getinfo(entry.name)
            assert (entry.crc, entry.uncompressed_size) == (info.CRC, info.file_size)
    assert report.package
    assert report.file_size == path.stat().st_size


@pytest.mark.parametrize(("name", "code"), sorted(REJECTED_CORPUS.items()))
def test_it_refuses_every_hostile_or_malformed_corpus_file_with_its_code(name, code):
    path = corpus_file(name)

    with pytest.raises(RejectedInput) as caught:
        check_upload(path)

    assert caught.value.code == code
    assert "\n" not in caught.value.message


def test_it_reports_entries_manifest_and_dex_of_a_fixture_app(engine_apps):
    path = engine_apps["multidex"]

    report = check_apk(path)

    assert report.package == "com.example.multidex"
    assert [name for name, _ in report.dex_files] == [
        "classes.dex",
        "classes2.dex",
        "classes3.dex",
    ]
    assert report.manifest.startswith(b"\x03\x00\x08\x00")
    assert report.signing_block_offset is not None
    offsets = [entry.header_offset for entry in report.entries]
    assert offsets == sorted(offsets) and offsets[0] == 0


@pytest.mark.parametrize("kind", ["application", "multidex", "native"])
def test_it_accepts_apps_built_by_the_android_tools(engine_apps, kind):
    assert check_apk(engine_apps[kind]).package.startswith("com.example.")


def test_it_refuses_a_1000_to_1_deflate_bomb_quickly(tmp_path, small_app):
    data = hostile.make_deflate_bomb(small_app)
    started = time.monotonic()

    error = _refusal(tmp_path, data)

    assert error.code == "zip_bomb"
    assert time.monotonic() - started < 2


def test_it_does_not_open_a_bomb_zip_stored_inside_the_apk(tmp_path, small_app):
    path = tmp_path / "nested.apk"
    path.write_bytes(hostile.make_nested_bomb_stored(small_app))

    report = check_apk(path)

    assert report.entry("assets/inner.zip").stored


def test_it_refuses_a_nested_bomb_whose_outer_entry_expands_too_far(tmp_path, small_app):
    assert _refusal(tmp_path, hostile.make_nested_bomb_deflated(small_app)).code == "zip_bomb"


def test_it_refuses_70000_entries(many_entries_apk):
    with pytest.raises(GateError) as caught:
        check_apk(many_entries_apk)

    assert caught.value.code == "zip_too_many_entries"


def test_it_applies_a_caller_entry_limit(tmp_path, small_app):
    limits = GateLimits(max_entries=2)

    assert _refusal(tmp_path, small_app.read_bytes(), limits).code == "zip_too_many_entries"


def test_it_refuses_a_file_over_the_size_limit(tmp_path, small_app):
    limits = GateLimits(max_file_bytes=1000)

    assert _refusal(tmp_path, small_app.read_bytes(), limits).code == "zip_too_large"


def test_it_refuses_an_entry_over_the_inflated_size_limit(tmp_path, small_app):
    limits = GateLimits(max_entry_bytes=100)

    assert _refusal(tmp_path, small_app.read_bytes(), limits).code == "zip_bomb"


def test_it_refuses_a_jpeg_with_a_zip_appended(tmp_path, small_app):
    assert _refusal(tmp_path, hostile.make_jpeg_with_zip(small_app)).code == "zip_prefix_bytes"


def test_it_refuses_a_janus_prefix_with_adjusted_offsets(tmp_path, small_app):
    assert _refusal(tmp_path, hostile.make_janus_style(small_app)).code == "zip_prefix_bytes"


def test_it_refuses_a_fake_encryption_bit(tmp_path, small_app):
    entry = RawEntry(b"assets/secret.bin", b"not really encrypted", flags=0x0001)

    assert _refusal(tmp_path, hostile.with_entry(small_app, entry)).code == "zip_encrypted_entry"


def test_it_refuses_overlapping_entries(tmp_path, small_app):
    error = _refusal(tmp_path, hostile.make_overlapping(small_app))

    assert error.code == "zip_overlapping_entries"


def test_it_refuses_a_central_directory_that_disagrees_with_the_local_header(tmp_path, small_app):
    entry = RawEntry(b"assets/a.txt", b"hello" * 100, central_uncompressed=10)

    assert _refusal(tmp_path, hostile.with_entry(small_app, entry)).code == "zip_header_mismatch"


def test_it_refuses_headers_that_lie_about_the_crc(tmp_path, small_app):
    entry = RawEntry(b"assets/a.txt", b"hello" * 100, crc=0x12345678)

    assert _refusal(tmp_path, hostile.with_entry(small_app, entry)).code == "zip_crc_mismatch"


def test_it_refuses_headers_that_lie_about_the_inflated_size(tmp_path, small_app):
    entry = RawEntry(b"assets/a.txt", b"hello" * 1000, size=100)

    assert _refusal(tmp_path, hostile.with_entry(small_app, entry)).code == "zip_size_mismatch"


def test_it_refuses_headers_that_understate_a_stored_size(tmp_path, small_app):
    entry = RawEntry(b"assets/a.txt", b"hello" * 100, method=0, size=10)

    assert _refusal(tmp_path, hostile.with_entry(small_app, entry)).code == "zip_header_mismatch"


def test_it_refuses_a_local_name_that_differs_from_the_central_name(tmp_path, small_app):
    entry = RawEntry(b"assets/a.txt", b"x", local_name=b"assets/b.txt")

    assert _refusal(tmp_path, hostile.with_entry(small_app, entry)).code == "zip_header_mismatch"


def test_it_refuses_duplicate_names(tmp_path, small_app):
    data = hostile.with_entry(small_app, RawEntry(b"classes.dex", b"dex\n035\x00"))

    assert _refusal(tmp_path, data).code == "zip_duplicate_entry"


@pytest.mark.parametrize(
    "name",
    [
        b"../evil.so",
        b"assets/../../evil",
        b"assets\\..\\evil",
        b"/etc/passwd",
        b"\\windows\\evil",
        b"assets/nul\x00.txt",
        b"assets/a\nName: classes.dex",
        b"assets/tab\t.txt",
        b"assets/\xff\xfe.txt",
        b"",
        b"a" * 2000,
    ],
)
def test_it_refuses_entry_names_that_are_paths_out_or_not_text(tmp_path, small_app, name):
    data = hostile.with_entry(small_app, RawEntry(name, b"x"))

    assert _refusal(tmp_path, data).code == "zip_bad_entry_name"


@pytest.mark.parametrize("method", [12, 21, 14, 99])
def test_it_refuses_compression_methods_other_than_stored_and_deflate(tmp_path, small_app, method):
    entry = RawEntry(b"assets/a.bin", b"x" * 10, method=method, payload=b"x" * 10)

    error = _refusal(tmp_path, hostile.with_entry(small_app, entry))

    assert error.code == "zip_unsupported_method"


def test_it_refuses_a_symbolic_link(tmp_path, small_app):
    entry = RawEntry(b"assets/link", b"/data/data", made_by=(3 << 8) | 20, external=0o120777 << 16)

    assert _refusal(tmp_path, hostile.with_entry(small_app, entry)).code == "zip_symlink_entry"


def test_it_accepts_an_ordinary_unix_file_mode(tmp_path, small_app):
    path = tmp_path / "modes.apk"
    entry = RawEntry(b"assets/a.txt", b"x", made_by=(3 << 8) | 20, external=0o100644 << 16)
    path.write_bytes(hostile.with_entry(small_app, entry))

    assert check_apk(path).entry("assets/a.txt") is not None


def test_it_refuses_a_truncated_central_directory(tmp_path, small_app):
    data = hostile.build_zip(hostile.app_entries(small_app), central_size_delta=5)

    assert _refusal(tmp_path, data).code == "zip_truncated"


def test_it_refuses_a_file_cut_short(tmp_path, small_app):
    data = small_app.read_bytes()

    assert _refusal(tmp_path, data[: len(data) // 2]).code == "zip_truncated"


def test_it_refuses_bytes_after_the_end_record(tmp_path, small_app):
    data = hostile.build_zip(hostile.app_entries(small_app), trailing=b"appended")

    assert _refusal(tmp_path, data).code == "zip_trailing_bytes"


def test_it_refuses_two_end_records(tmp_path, small_app):
    fake_end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 0, 0, 0, 0, 0)
    data = hostile.build_zip(hostile.app_entries(small_app), comment=fake_end)

    assert _refusal(tmp_path, data).code == "zip_ambiguous_end_record"


def test_it_accepts_an_archive_comment(tmp_path, small_app):
    path = tmp_path / "comment.apk"
    path.write_bytes(hostile.build_zip(hostile.app_entries(small_app), comment=b"built by CI"))

    assert check_apk(path).package == "com.example.fixture"


def test_it_accepts_zip64_end_records(tmp_path, small_app):
    path = tmp_path / "zip64.apk"
    path.write_bytes(hostile.build_zip(hostile.app_entries(small_app), zip64=True))

    assert check_apk(path).package == "com.example.fixture"


def test_it_accepts_data_descriptors_that_match(tmp_path, small_app):
    path = tmp_path / "descriptor.apk"
    entry = RawEntry(b"assets/streamed.txt", b"streamed " * 50, descriptor=True)
    path.write_bytes(hostile.with_entry(small_app, entry))

    assert check_apk(path).entry("assets/streamed.txt").uncompressed_size == 450


def test_it_refuses_hidden_bytes_between_entries(tmp_path, small_app):
    entry = RawEntry(b"assets/a.txt", b"x", gap_before=b"hidden payload")

    assert _refusal(tmp_path, hostile.with_entry(small_app, entry)).code == "zip_hidden_data"


def test_it_refuses_a_damaged_signing_block(tmp_path, small_app):
    block = struct.pack("<Q", 40) + struct.pack("<Q", 10) + bytes(10) + struct.pack("<Q", 99)
    block += b"APK Sig Block 42"
    data = hostile.build_zip(hostile.app_entries(small_app), before_central=block)

    assert _refusal(tmp_path, data).code == "zip_bad_signing_block"


def test_it_refuses_corrupt_deflate_data(tmp_path, small_app):
    entry = RawEntry(b"assets/a.txt", b"abc", payload=b"\xff\xff\xff\xff")

    assert _refusal(tmp_path, hostile.with_entry(small_app, entry)).code == "zip_corrupt_entry"


def test_it_refuses_an_apk_without_a_manifest(tmp_path, small_app):
    entries = [e for e in hostile.app_entries(small_app) if e.name != b"AndroidManifest.xml"]

    assert _refusal(tmp_path, hostile.build_zip(entries)).code == "manifest_missing"


def test_it_refuses_a_manifest_that_is_not_binary_xml(tmp_path, small_app):
    entries = hostile.app_entries(small_app)
    for entry in entries:
        if entry.name == b"AndroidManifest.xml":
            entry.data = b"<manifest package='com.example.x'/>"

    assert _refusal(tmp_path, hostile.build_zip(entries)).code == "manifest_malformed"


def test_it_refuses_a_manifest_with_an_invalid_package_name(tmp_path, small_app):
    entries = hostile.app_entries(small_app)
    for entry in entries:
        if entry.name == b"AndroidManifest.xml":
            document = axml.parse(entry.data)
            document.root.attribute("package", namespace=None).raw = "1com..example/../x"
            entry.data = axml.serialize(document)

    assert _refusal(tmp_path, hostile.build_zip(entries)).code == "manifest_malformed"


def test_it_refuses_a_dex_file_without_dex_magic(tmp_path, small_app):
    entries = hostile.app_entries(small_app)
    for entry in entries:
        if entry.name == b"classes.dex":
            entry.data = b"PK\x03\x04 not dex at all"

    assert _refusal(tmp_path, hostile.build_zip(entries)).code == "dex_malformed"


def test_it_refuses_an_extra_dex_file_without_dex_magic(tmp_path, small_app):
    data = hostile.with_entry(small_app, RawEntry(b"classes2.dex", b"\x00" * 64))

    assert _refusal(tmp_path, data).code == "dex_malformed"


@pytest.mark.parametrize("marker", [b"BundleConfig.pb", b"base/manifest/AndroidManifest.xml"])
def test_it_refuses_an_android_app_bundle_with_a_clear_reason(tmp_path, small_app, marker):
    data = hostile.with_entry(small_app, RawEntry(marker, b"\x0a\x00"))

    error = _refusal(tmp_path, data)

    assert error.code == "unsupported_format"
    assert "bundletool" in error.message


@pytest.mark.parametrize("data", [b"", b"PK", b"PK\x05\x06" + bytes(18), bytes(100)])
def test_it_refuses_tiny_or_empty_files(tmp_path, data):
    assert _refusal(tmp_path, data).code in {"not_a_zip", "manifest_missing"}


def test_it_refuses_a_file_that_does_not_exist(tmp_path):
    with pytest.raises(RejectedInput) as caught:
        check_apk(tmp_path / "absent.apk")

    assert caught.value.code == "unreadable"


def test_it_refuses_a_signing_block_with_thousands_of_tiny_entries(tmp_path, small_app):
    pairs = (struct.pack("<Q", 4) + struct.pack("<I", 0x1234)) * 1001
    size = len(pairs) + 8 + 16
    block = struct.pack("<Q", size) + pairs + struct.pack("<Q", size) + b"APK Sig Block 42"
    data = hostile.build_zip(hostile.app_entries(small_app), before_central=block)

    assert _refusal(tmp_path, data).code == "zip_bad_signing_block"


def test_it_accepts_a_well_formed_signing_block(tmp_path, small_app):
    pairs = struct.pack("<Q", 8) + struct.pack("<I", 0x42726577) + bytes(4)
    size = len(pairs) + 8 + 16
    block = struct.pack("<Q", size) + pairs + struct.pack("<Q", size) + b"APK Sig Block 42"
    path = tmp_path / "block.apk"
    path.write_bytes(hostile.build_zip(hostile.app_entries(small_app), before_central=block))

    report = check_apk(path)

    assert report.signing_block_offset == report.central_offset - len(block)


def test_it_stops_when_the_wall_time_budget_is_spent(tmp_path, small_app):
    limits = GateLimits(max_seconds=0)

    assert _refusal(tmp_path, small_app.read_bytes(), limits).code == "gate_timeout"


def test_it_refuses_a_directory_as_unreadable(tmp_path):
    with pytest.raises(RejectedInput) as caught:
        check_apk(tmp_path)

    assert caught.value.code == "unreadable"
