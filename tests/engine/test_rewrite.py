"""The streaming rewrite produces aligned, unsigned APKs that Google's tools accept."""

import random
import struct
import subprocess
import zipfile

import pytest

from tests.engine import hostile
from tests.engine.hostile import RawEntry
from tests.engine.test_gate import ACCEPTED_CORPUS, REJECTED_CORPUS
from tests.support.android import corpus_file, requires_android_tools
from workers.engine.errors import EngineError, RejectedInput
from workers.engine.rewrite import check_alignment, is_signature_file, rewrite_apk

pytestmark = [requires_android_tools, pytest.mark.android_tools]


def _zipalign_ok(path, verbose=False) -> subprocess.CompletedProcess:
    args = ["zipalign", "-c", "-p", *(["-v"] if verbose else []), "4", str(path)]
    return subprocess.run(args, capture_output=True, text=True, check=False)


def _badging(path) -> str:
    result = subprocess.run(
        ["aapt", "dump", "badging", str(path)], capture_output=True, text=True, check=True
    )
    return result.stdout


def _raw_entries(path) -> dict[str, tuple[int, int, bytes]]:
    """Per entry: method, data offset and compressed bytes, found with Python's zipfile."""
    found = {}
    data = path.read_bytes()
    with zipfile.ZipFile(path) as archive:
        for info in archive.infolist():
            name_length, extra_length = struct.unpack_from("<HH", data, info.header_offset + 26)
            start = info.header_offset + 30 + name_length + extra_length
            found[info.filename] = (
                info.compress_type,
                start,
                data[start : start + info.compress_size],
            )
    return found


@pytest.mark.parametrize("kind", ["application", "multidex", "native"])
def test_it_rewrites_fixture_apps_aligned_with_identical_compressed_entries(
    engine_apps, tmp_path, kind
):
    source = engine_apps[kind]
    output = tmp_path / "out.apk"

    report = rewrite_apk(source, output)

    assert _zipalign_ok(output, verbose=True).returncode == 0
    assert _badging(output) == _badging(source)
    before, after = _raw_entries(source), _raw_entries(output)
    assert set(after) == {name for name in before if not is_signature_file(name)}
    for name, (method, _, raw) in after.items():
        assert (method, raw) == (before[name][0], before[name][2]), name
    assert set(report.dropped) == {name for name in before if name.startswith("META-INF/")}
    assert b"APK Sig Block 42" not in output.read_bytes()
    assert check_alignment(output) == []


def test_its_output_signs_and_verifies_with_apksigner(engine_apps, rsa_keystore, tmp_path):
    unsigned = tmp_path / "unsigned.apk"
    signed = tmp_path / "signed.apk"
    rewrite_apk(engine_apps["native"], unsigned, add={"assets/extra.txt": b"fused" * 1000})

    subprocess.run(
        [
            "apksigner",
            "sign",
            "--ks",
            str(rsa_keystore.path),
            "--ks-pass",
            f"pass:{rsa_keystore.password}",
            "--out",
            str(signed),
            str(unsigned),
        ],
        check=True,
        capture_output=True,
    )
    verified = subprocess.run(
        ["apksigner", "verify", "-v", str(signed)], capture_output=True, text=True, check=False
    )

    assert verified.returncode == 0, verified.stderr
    assert "Number of signers: 1" in verified.stdout


@pytest.mark.parametrize("name", ACCEPTED_CORPUS)
def test_it_rewrites_every_accepted_corpus_app_so_zipalign_passes(tmp_path, name):
    source = corpus_file(name)
    output = tmp_path / "out.apk"

    rewrite_apk(source, output)

    assert _zipalign_ok(output).returncode == 0
    with zipfile.ZipFile(output) as archive:
        assert archive.testzip() is None
        assert not [n for n in archive.namelist() if is_signature_file(n)]


@pytest.mark.parametrize(("name", "code"), sorted(REJECTED_CORPUS.items()))
def test_it_writes_nothing_for_a_refused_corpus_file(tmp_path, name, code):
    output_dir = tmp_path / "out"
    output_dir.mkdir()

    with pytest.raises(RejectedInput) as caught:
        rewrite_apk(corpus_file(name), output_dir / "out.apk")

    assert caught.value.code == code
    assert list(output_dir.iterdir()) == []


def test_it_stores_and_aligns_a_compressed_resource_table(tmp_path, small_app):
    entries = hostile.app_entries(small_app)
    for entry in entries:
        entry.method = 8
    source = tmp_path / "deflated.apk"
    source.write_bytes(hostile.build_zip(entries))
    output = tmp_path / "out.apk"

    rewrite_apk(source, output)

    method, offset, _ = _raw_entries(output)["resources.arsc"]
    assert method == zipfile.ZIP_STORED and offset % 4 == 0
    assert _zipalign_ok(output).returncode == 0
    with zipfile.ZipFile(source) as before, zipfile.ZipFile(output) as after:
        assert after.read("resources.arsc") == before.read("resources.arsc")
    assert check_alignment(source) == ["resources.arsc is compressed; it must be stored"]


def test_it_aligns_stored_native_libraries_to_16_kib(engine_apps, tmp_path):
    output = tmp_path / "out.apk"

    rewrite_apk(engine_apps["native"], output, store=lambda name: name.endswith(".so"))

    libraries = {n: v for n, v in _raw_entries(output).items() if n.endswith(".so")}
    assert len(libraries) == 2
    for method, offset, _ in libraries.values():
        assert method == zipfile.ZIP_STORED and offset % 16384 == 0
    assert _zipalign_ok(output, verbose=True).returncode == 0


def test_it_replaces_adds_and_drops_entries(tmp_path, small_app):
    big_asset = tmp_path / "big.bin"
    big_asset.write_bytes(bytes(range(256)) * 20_000)
    output = tmp_path / "out.apk"

    report = rewrite_apk(
        small_app,
        output,
        replace={"classes.dex": b"dex\n035\x00" + bytes(100)},
        add={"assets/config.json": b'{"ok": true}', "assets/big.bin": big_asset},
        drop=lambda name: name.startswith("res/"),
        store=lambda name: name == "assets/big.bin",
    )

    with zipfile.ZipFile(output) as archive:
        assert archive.read("classes.dex") == b"dex\n035\x00" + bytes(100)
        assert archive.read("assets/config.json") == b'{"ok": true}'
        assert archive.read("assets/big.bin") == big_asset.read_bytes()
        assert archive.getinfo("assets/big.bin").compress_type == zipfile.ZIP_STORED
        assert not [n for n in archive.namelist() if n.startswith("res/")]
    origins = {entry.name: entry.origin for entry in report.entries}
    assert origins["classes.dex"] == "replaced"
    assert origins["assets/big.bin"] == "added"
    assert origins["resources.arsc"] == "copied"
    assert _zipalign_ok(output).returncode == 0


@pytest.mark.parametrize(
    "request_args",
    [
        {"replace": {"assets/absent": b"x"}},
        {"add": {"classes.dex": b"x"}},
        {"add": {"../escape": b"x"}},
        {"replace": {"classes.dex": b"x"}, "drop": lambda name: name == "classes.dex"},
    ],
)
def test_it_refuses_contradictory_requests_and_writes_nothing(tmp_path, small_app, request_args):
    output_dir = tmp_path / "out"
    output_dir.mkdir()

    with pytest.raises(EngineError):
        rewrite_apk(small_app, output_dir / "out.apk", **request_args)

    assert list(output_dir.iterdir()) == []


def test_it_leaves_nothing_behind_when_writing_fails_midway(tmp_path, small_app):
    output_dir = tmp_path / "out"
    output_dir.mkdir()

    with pytest.raises(FileNotFoundError):
        rewrite_apk(small_app, output_dir / "out.apk", add={"assets/a": tmp_path / "absent"})

    assert list(output_dir.iterdir()) == []


def test_it_replaces_an_existing_destination_atomically(tmp_path, small_app):
    output = tmp_path / "out.apk"
    output.write_bytes(b"previous build")

    rewrite_apk(small_app, output)

    assert zipfile.is_zipfile(output)
    assert [p.name for p in tmp_path.iterdir()] == ["out.apk"]


def test_alignment_check_names_a_misaligned_stored_entry(tmp_path, small_app):
    entries = hostile.app_entries(small_app)
    entries.insert(0, RawEntry(b"assets/odd.bin", b"x" * 33, method=0))
    source = tmp_path / "misaligned.apk"
    source.write_bytes(hostile.build_zip(entries))

    problems = check_alignment(source)

    assert problems and all("boundary" in problem for problem in problems)
    assert _zipalign_ok(source).returncode != 0


def test_it_writes_sizes_in_local_headers_for_entries_that_had_data_descriptors(
    tmp_path, small_app
):
    source = tmp_path / "streamed.apk"
    entry = RawEntry(b"assets/streamed.txt", b"streamed " * 500, descriptor=True)
    source.write_bytes(hostile.with_entry(small_app, entry))
    output = tmp_path / "out.apk"

    rewrite_apk(source, output)

    with zipfile.ZipFile(output) as archive:
        info = archive.getinfo("assets/streamed.txt")
        assert not info.flag_bits & 0x0008
        assert archive.read("assets/streamed.txt") == b"streamed " * 500
    assert (
        _raw_entries(output)["assets/streamed.txt"][2]
        == _raw_entries(source)["assets/streamed.txt"][2]
    )


def test_it_lets_a_dropped_entry_be_added_back_with_new_content(tmp_path, small_app):
    output = tmp_path / "out.apk"

    report = rewrite_apk(
        small_app,
        output,
        drop=lambda name: name == "classes.dex",
        add={"classes.dex": b"dex\n035\x00" + bytes(200)},
    )

    assert "classes.dex" in report.dropped
    with zipfile.ZipFile(output) as archive:
        assert archive.namelist().count("classes.dex") == 1
        assert archive.read("classes.dex") == b"dex\n035\x00" + bytes(200)


@pytest.mark.parametrize("kernel_copy", [True, False])
def test_it_copies_large_entries_byte_for_byte_with_or_without_kernel_copy(
    tmp_path, small_app, monkeypatch, kernel_copy
):
    if not kernel_copy:

        def unsupported(*args):
            raise OSError(38, "Function not implemented")

        monkeypatch.setattr("os.copy_file_range", unsupported, raising=False)
    payload = random.Random(7).randbytes(1024 * 1024) * 2
    source = tmp_path / "large.apk"
    entries = [
        *hostile.app_entries(small_app),
        RawEntry(b"assets/stored.bin", payload, method=0),
        RawEntry(b"assets/deflated.bin", payload, method=8),
    ]
    source.write_bytes(hostile.build_zip(entries))
    output = tmp_path / "out.apk"

    rewrite_apk(source, output, durable=False)

    before, after = _raw_entries(source), _raw_entries(output)
    for name in ("assets/stored.bin", "assets/deflated.bin"):
        assert after[name][2] == before[name][2]
    with zipfile.ZipFile(output) as archive:
        assert archive.testzip() is None
    assert _zipalign_ok(output).returncode == 0


def test_its_output_is_readable_like_any_other_build_artifact(tmp_path, small_app):
    output = tmp_path / "out.apk"

    rewrite_apk(small_app, output)

    assert output.stat().st_mode & 0o777 == 0o644
