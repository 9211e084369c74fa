"""resources.arsc is read strictly and gains file resources that Google's tools accept."""

import struct
import zipfile

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.engine.axml_fixtures import (
    aapt,
    corpus_entry,
    read_entries,
    resource_value,
    write_apk,
)
from tests.support.android import (
    ACCEPTED_CORPUS,
    AppSpec,
    build_app,
    corpus_file,
    requires_android_tools,
)
from workers.engine import arsc
from workers.engine.arsc_table import FLAG_SPARSE, ArscError
from workers.engine.errors import EngineError

XML_PATH = "res/xml/fusebox_network_security_config.xml"
RAW_PATH = "res/raw/fusebox_server_ca.pem"


@pytest.fixture(scope="module")
def nsc_app(android_workdir):
    spec = AppSpec(
        package="com.example.arscnsc",
        network_security_config=(
            "<network-security-config>"
            '<base-config cleartextTrafficPermitted="true"/>'
            "</network-security-config>\n"
        ),
    )
    return build_app(android_workdir / "arsc-nsc", spec, sign=False)


@pytest.mark.parametrize("name", ACCEPTED_CORPUS)
def test_it_writes_every_accepted_corpus_table_back_byte_for_byte(name):
    data = corpus_entry(name, "resources.arsc")

    assert arsc.read_table(data).encode() == data


@requires_android_tools
@pytest.mark.parametrize("name", ACCEPTED_CORPUS)
def test_it_adds_file_resources_that_aapt_lists_with_their_paths(name, tmp_path):
    entries = read_entries(corpus_file(name))
    table, xml_id = arsc.add_file_resource(
        entries["resources.arsc"], "xml", "fusebox_network_security_config", XML_PATH, "a.b"
    )
    table, raw_id = arsc.add_file_resource(table, "raw", "fusebox_server_ca", RAW_PATH, "a.b")
    entries["resources.arsc"] = table
    apk = write_apk(tmp_path, "patched", entries)

    dump = aapt("dump", "--values", "resources", str(apk))

    assert ":xml/fusebox_network_security_config: t=0x03" in resource_value(dump, xml_id)
    assert f'"{XML_PATH}"' in resource_value(dump, xml_id)
    assert f'"{RAW_PATH}"' in resource_value(dump, raw_id)
    assert "(s=0x0008 r=0x00)" in resource_value(dump, raw_id)
    assert arsc.resolve(table, xml_id) == XML_PATH
    assert arsc.resolve(table, raw_id) == RAW_PATH
    aapt("dump", "badging", str(apk))


@requires_android_tools
def test_it_keeps_every_existing_value_unchanged(nsc_app, tmp_path):
    entries = read_entries(nsc_app)
    before = aapt("dump", "--values", "resources", str(nsc_app))

    entries["resources.arsc"], _ = arsc.add_file_resource(
        entries["resources.arsc"], "raw", "fusebox_server_ca", RAW_PATH
    )
    after = aapt("dump", "--values", "resources", str(write_apk(tmp_path, "x", entries)))

    kept = [line for line in before.splitlines() if "resource 0x7f" in line or '"' in line]
    assert set(kept) <= set(after.splitlines())


@requires_android_tools
def test_it_resolves_the_app_s_existing_file_reference(nsc_app):
    table = read_entries(nsc_app)["resources.arsc"]
    dump = aapt("dump", "resources", str(nsc_app))
    line = next(x for x in dump.splitlines() if ":xml/network_security_config:" in x)
    resource_id = int(line.split("resource ")[1].split()[0], 16)

    assert arsc.resolve(table, resource_id) == "res/xml/network_security_config.xml"
    assert arsc.find_entry(arsc.read_table(table), "xml", "network_security_config") == (
        resource_id
    )


def test_adding_the_same_resource_twice_changes_nothing():
    table = corpus_entry("UnCrackable-Level1.apk", "resources.arsc")

    once, first_id = arsc.add_file_resource(table, "xml", "fusebox_config", XML_PATH)
    twice, second_id = arsc.add_file_resource(once, "xml", "fusebox_config", XML_PATH)

    assert (twice, second_id) == (once, first_id)


def test_it_refuses_a_name_that_already_points_to_another_file():
    table = corpus_entry("UnCrackable-Level1.apk", "resources.arsc")
    once, _ = arsc.add_file_resource(table, "xml", "fusebox_config", XML_PATH)

    with pytest.raises(EngineError) as raised:
        arsc.add_file_resource(once, "xml", "fusebox_config", "res/xml/other.xml")

    assert raised.value.code == "resource_exists"


@pytest.mark.parametrize(
    ("type_name", "entry_name", "code"),
    [
        ("string", "x", "resource_type_invalid"),
        ("xml", "../../poc", "resource_name_invalid"),
        ("xml", "", "resource_name_invalid"),
    ],
)
def test_it_refuses_resources_it_cannot_add_safely(type_name, entry_name, code):
    table = corpus_entry("UnCrackable-Level1.apk", "resources.arsc")

    with pytest.raises(EngineError) as raised:
        arsc.add_file_resource(table, type_name, entry_name, XML_PATH)

    assert raised.value.code == code


def test_it_creates_the_app_package_in_a_table_that_has_none():
    table = corpus_entry("issue2701.apk", "resources.arsc")
    assert arsc.read_table(table).packages == []

    patched, resource_id = arsc.add_file_resource(table, "xml", "cfg", XML_PATH, "com.x.y")

    assert resource_id == 0x7F010000
    assert arsc.read_table(patched).packages[0].name == "com.x.y"
    assert arsc.resolve(patched, resource_id) == XML_PATH


def test_it_reads_sparse_type_chunks():
    table = arsc.read_table(corpus_entry("sparse.apk", "resources.arsc"))

    package = table.package()
    chunks = [c for type_id in range(1, 256) for c in package.types(type_id)]
    sparse = [c for c in chunks if c.flags & FLAG_SPARSE]

    assert sparse, "sparse.apk should carry sparse type chunks"
    assert all(chunk.encode() for chunk in sparse)
    assert any(len(chunk.offsets) < chunk.entry_count for chunk in sparse)


@requires_android_tools
def test_it_adds_to_a_type_with_sparse_chunks_and_keeps_them_readable(monkeypatch, tmp_path):
    # The file types never have sparse chunks in practice; widen the allowed types so the
    # code path for a type that does is exercised on a real aapt2 sparse table.
    monkeypatch.setattr(arsc, "FILE_TYPES", ("integer",))
    entries = read_entries(corpus_file("sparse.apk"))
    before = aapt("dump", "--values", "resources", str(corpus_file("sparse.apk")))

    table, resource_id = arsc.add_file_resource(
        entries["resources.arsc"], "integer", "fusebox_extra", XML_PATH
    )
    entries["resources.arsc"] = table
    after = aapt("dump", "--values", "resources", str(write_apk(tmp_path, "sparse", entries)))

    package = arsc.read_table(table).package()
    type_id = (resource_id >> 16) & 0xFF
    assert any(c.flags & FLAG_SPARSE for c in package.types(type_id))
    assert f'"{XML_PATH}"' in resource_value(after, resource_id)
    kept = [line for line in before.splitlines() if "resource 0x7f" in line]
    assert set(kept) <= set(after.splitlines())


@pytest.mark.parametrize(
    ("offset", "fmt", "value", "reason"),
    [
        (4, "<I", 16, "does not describe the whole file"),
        (8, "<I", 2, "announces 2 packages"),
        (12, "<H", 0x0201, "global string pool is missing"),
        (14, "<H", 4, "inconsistent sizes"),
    ],
)
def test_it_rejects_a_tampered_table(offset, fmt, value, reason):
    data = bytearray(corpus_entry("UnCrackable-Level1.apk", "resources.arsc"))
    struct.pack_into(fmt, data, offset, value)

    with pytest.raises(ArscError) as raised:
        arsc.read_table(bytes(data))

    assert raised.value.code == "resources_malformed"
    assert reason in raised.value.message


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_corrupted_tables_give_a_table_or_an_engine_error(data):
    path = corpus_file("sparse.apk")
    with zipfile.ZipFile(path) as archive:
        original = bytearray(archive.read("resources.arsc"))
    for _ in range(data.draw(st.integers(1, 6))):
        original[data.draw(st.integers(0, len(original) - 1))] = data.draw(st.integers(0, 255))
    damaged = bytes(original[: data.draw(st.integers(0, len(original)))])

    try:
        arsc.add_file_resource(damaged, "xml", "fusebox_config", XML_PATH, "com.x.y")
    except EngineError as error:
        assert error.code


@requires_android_tools
def test_every_configuration_of_the_type_gets_the_new_slot(monkeypatch, tmp_path):
    # File types in real apps seldom have several configurations; a density-split
    # drawable type has, so it stands in for them here.
    monkeypatch.setattr(arsc, "FILE_TYPES", ("drawable",))
    source = corpus_file("XposedInstaller_3.1.5.apk")
    entries = read_entries(source)
    before = aapt("dump", "--values", "resources", str(source))

    table, resource_id = arsc.add_file_resource(
        entries["resources.arsc"], "drawable", "fusebox_extra", "res/drawable/fusebox_extra.xml"
    )
    entries["resources.arsc"] = table
    after = aapt("dump", "--values", "resources", str(write_apk(tmp_path, "configs", entries)))

    package = arsc.read_table(table).package()
    chunks = package.types((resource_id >> 16) & 0xFF)
    assert len(chunks) > 1
    assert {chunk.entry_count for chunk in chunks} == {(resource_id & 0xFFFF) + 1}
    assert '"res/drawable/fusebox_extra.xml"' in resource_value(after, resource_id)
    assert after.count(f"resource 0x{resource_id:08x} ") == 2  # the spec and one value
    kept = [line for line in before.splitlines() if "resource 0x7f" in line]
    assert set(kept) <= set(after.splitlines())


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["xml", "raw"]),
            st.from_regex(r"[a-z][a-z0-9_]{0,30}", fullmatch=True),
        ),
        min_size=1,
        max_size=6,
        unique_by=lambda item: item[1],
    )
)
def test_every_added_resource_resolves_to_its_own_path(additions):
    table = corpus_entry("UnCrackable-Level1.apk", "resources.arsc")
    added = {}
    for type_name, name in additions:
        path = f"res/{type_name}/{name}.bin"
        table, resource_id = arsc.add_file_resource(table, type_name, name, path)
        added[resource_id] = path

    assert len(added) == len(additions)
    assert {arsc.resolve(table, rid) for rid in added} == set(added.values())
    for resource_id, path in added.items():
        assert arsc.resolve(table, resource_id) == path
