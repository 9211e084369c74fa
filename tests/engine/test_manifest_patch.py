"""Patched manifests and resource tables are accepted by aapt, androguard and apksigner."""

import re
import subprocess

import pytest
from androguard.core.apk import APK
from loguru import logger

from tests.engine.axml_fixtures import (
    aapt,
    corpus_entry,
    make_ca_pem,
    read_entries,
    resource_value,
    write_apk,
)
from tests.support.android import (
    ACCEPTED_CORPUS,
    FRAMEWORK_RES,
    AppSpec,
    build_app,
    corpus_file,
    requires_android_tools,
)
from workers.engine import axml, manifest_patch
from workers.engine.axml import Document, Element
from workers.engine.errors import FusionError
from workers.engine.manifest_patch import FRAMEWORK_ATTRIBUTES, patch_app_resources

PROVIDER = "io.fusebox.runtime.FuseboxInitProvider"
INIT_ORDER = 2147483647
EXISTING_CONFIG = """<?xml version="1.0" encoding="utf-8"?>
<network-security-config>
    <base-config cleartextTrafficPermitted="true" />
    <domain-config cleartextTrafficPermitted="true">
        <domain includeSubdomains="true">api.example.com</domain>
        <domain includeSubdomains="false">static.example.com</domain>
    </domain-config>
    <debug-overrides>
        <trust-anchors><certificates src="user" /></trust-anchors>
    </debug-overrides>
</network-security-config>
"""
APPS = {
    "application_class_min21": AppSpec(
        package="com.example.patch.withapp", min_sdk=21, internet_permission=False
    ),
    "no_application_min28": AppSpec(
        package="com.example.patch.noapp", application_class=None, min_sdk=28
    ),
    "final_application": AppSpec(
        package="com.example.patch.finalapp",
        application_class="com.example.patch.finalapp.Locked",
        final_application=True,
    ),
    "own_network_config": AppSpec(
        package="com.example.patch.nsc", min_sdk=28, network_security_config=EXISTING_CONFIG
    ),
}

logger.remove()


@pytest.fixture(scope="module")
def built_apps(android_workdir):
    if not FRAMEWORK_RES.is_file():
        pytest.skip("Debian's Android tools are missing")
    root = android_workdir / "manifest-patch"
    return {kind: build_app(root / kind, spec, sign=False) for kind, spec in APPS.items()}


@pytest.fixture(scope="module")
def server_ca_pem():
    return make_ca_pem("Backend Server CA")


def _patch(entries: dict[str, bytes], package: str | None, pem: bytes | None):
    return patch_app_resources(
        entries["AndroidManifest.xml"],
        entries["resources.arsc"],
        entries.__getitem__,
        package=package,
        provider_class=PROVIDER,
        authority=f"{package}.fusebox",
        init_order=INIT_ORDER,
        pinned_hosts=["api.example.com", "*.backend.example.org"],
        server_ca_pems=[pem] if pem else None,
    )


def _rewrite(source, destination, patch):
    from workers.engine.rewrite import rewrite_apk

    rewrite_apk(
        source,
        destination,
        replace={"AndroidManifest.xml": patch.manifest, "resources.arsc": patch.arsc},
        add=patch.new_files,
    )
    return destination


def _reference(tree: str, attribute: str) -> int:
    match = re.search(rf"A: android:{attribute}\(0x[0-9a-f]+\)=@0x([0-9a-f]+)", tree)
    assert match, f"android:{attribute} is not a reference in:\n{tree}"
    return int(match.group(1), 16)


def _assert_sorted_by_resource_id(document: Document) -> None:
    for element in document.root.iter():
        ids = [a.resource_id for a in element.attributes]
        with_ids = [i for i in ids if i is not None]
        assert with_ids == sorted(with_ids), element.name
        assert ids == with_ids + [None] * (len(ids) - len(with_ids)), element.name


@requires_android_tools
def test_framework_attribute_ids_match_the_platform_framework_res():
    dump = aapt("dump", "resources", str(FRAMEWORK_RES))
    platform = dict(
        (name, int(number, 16))
        for number, name in re.findall(
            r"spec resource 0x(0101[0-9a-f]{4}) android:attr/(\w+):", dump
        )
    )

    assert {name: platform.get(name) for name in FRAMEWORK_ATTRIBUTES} == FRAMEWORK_ATTRIBUTES


@requires_android_tools
@pytest.mark.parametrize("kind", sorted(APPS))
def test_the_patched_fixture_app_is_accepted_by_aapt_and_androguard(
    kind, built_apps, server_ca_pem, tmp_path
):
    source = built_apps[kind]
    package = APPS[kind].package
    patch = _patch(read_entries(source), package, server_ca_pem)
    apk = _rewrite(source, tmp_path / "patched.apk", patch)

    tree = aapt("dump", "xmltree", str(apk), "AndroidManifest.xml")
    assert f'A: android:name(0x01010003)="{PROVIDER}"' in tree
    assert "A: android:initOrder(0x0101001a)=(type 0x10)0x7fffffff" in tree
    assert "A: android:exported(0x01010010)=(type 0x12)0x0" in tree
    assert f'A: android:authorities(0x01010018)="{package}.fusebox"' in tree
    assert "android.permission.INTERNET" in tree
    config_id = _reference(tree, "networkSecurityConfig")

    values = aapt("dump", "--values", "resources", str(apk))
    block = resource_value(values, config_id)
    assert ":xml/fusebox_network_security_config: t=0x03" in block
    assert '"res/xml/fusebox_network_security_config.xml"' in block
    assert "uses-permission: name='android.permission.INTERNET'" in aapt(
        "dump", "badging", str(apk)
    )

    config = aapt("dump", "xmltree", str(apk), "res/xml/fusebox_network_security_config.xml")
    assert 'C: "api.example.com"' in config
    assert 'C: "backend.example.org"' in config
    assert 'A: digest="SHA-256"' in config
    ca_id = _reference(config.replace("A: src=", "A: android:src(0x0)="), "src")
    assert '"res/raw/fusebox_server_ca.pem"' in resource_value(values, ca_id)

    androguard_apk = APK(str(apk))
    assert androguard_apk.is_valid_APK()
    assert PROVIDER in androguard_apk.get_providers()
    assert "android.permission.INTERNET" in androguard_apk.get_permissions()
    manifest_xml = androguard_apk.get_android_manifest_xml()
    application = manifest_xml.find("application")
    assert application.get("{http://schemas.android.com/apk/res/android}networkSecurityConfig")
    _assert_sorted_by_resource_id(axml.parse(patch.manifest))


@requires_android_tools
def test_the_existing_network_config_is_merged_not_replaced(built_apps, server_ca_pem, tmp_path):
    source = built_apps["own_network_config"]
    patch = _patch(read_entries(source), APPS["own_network_config"].package, server_ca_pem)
    apk = _rewrite(source, tmp_path / "merged.apk", patch)

    config = aapt("dump", "xmltree", str(apk), "res/xml/fusebox_network_security_config.xml")

    assert "E: base-config" in config
    assert "E: debug-overrides" in config
    assert 'C: "static.example.com"' in config
    assert config.count('C: "api.example.com"') == 1
    assert any("merged with the app's own" in line for line in patch.summary)
    assert (
        "Network security config: the app's own settings for api.example.com were replaced "
        "by the pinned configuration"
    ) in patch.summary


@requires_android_tools
def test_the_patched_app_signs_and_verifies_with_apksigner(
    built_apps, server_ca_pem, rsa_keystore, tmp_path
):
    source = built_apps["application_class_min21"]
    patch = _patch(read_entries(source), APPS["application_class_min21"].package, server_ca_pem)
    unsigned = _rewrite(source, tmp_path / "unsigned.apk", patch)
    signed = tmp_path / "signed.apk"

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
    verify = subprocess.run(
        ["apksigner", "verify", str(signed)], capture_output=True, text=True, check=False
    )
    assert verify.returncode == 0, verify.stderr


@requires_android_tools
def test_patching_an_already_patched_app_changes_nothing(built_apps, server_ca_pem):
    entries = read_entries(built_apps["own_network_config"])
    package = APPS["own_network_config"].package
    first = _patch(entries, package, server_ca_pem)

    entries.update(first.new_files)
    entries["AndroidManifest.xml"], entries["resources.arsc"] = first.manifest, first.arsc
    second = _patch(entries, package, server_ca_pem)

    assert second.manifest == first.manifest
    assert second.arsc == first.arsc
    assert second.new_files == first.new_files


@requires_android_tools
@pytest.mark.parametrize("name", ACCEPTED_CORPUS)
def test_every_accepted_corpus_app_is_patched_into_an_app_aapt_accepts(
    name, server_ca_pem, tmp_path
):
    entries = read_entries(corpus_file(name))
    package = manifest_patch.package_name(axml.parse(entries["AndroidManifest.xml"]))
    patch = _patch(entries, package, server_ca_pem)
    entries.update(patch.new_files)
    entries["AndroidManifest.xml"], entries["resources.arsc"] = patch.manifest, patch.arsc
    apk = write_apk(tmp_path, "patched", entries)

    tree = aapt("dump", "xmltree", str(apk), "AndroidManifest.xml")
    assert f'="{PROVIDER}"' in tree
    config_id = _reference(tree, "networkSecurityConfig")
    values = aapt("dump", "--values", "resources", str(apk))
    assert '"res/xml/fusebox_network_security_config.xml"' in resource_value(values, config_id)
    assert f"package: name='{package}'" in aapt("dump", "badging", str(apk))
    _assert_sorted_by_resource_id(axml.parse(patch.manifest))
    config = aapt("dump", "xmltree", str(apk), "res/xml/fusebox_network_security_config.xml")
    assert 'C: "backend.example.org"' in config
    androguard_apk = APK(str(apk))
    assert PROVIDER in androguard_apk.get_providers()
    assert androguard_apk.get_android_manifest_xml().find("application") is not None


def _manifest(*children: Element, package: str = "com.example.unit") -> Document:
    root = Element(
        "manifest",
        attributes=[axml.Attribute.string("package", package, namespace=None)],
        children=list(children),
        namespace_declarations=[axml.Namespace("android", axml.ANDROID_NS)],
    )
    return axml.parse(axml.serialize(Document(root=root)))


def _application(name: str | None) -> Element:
    attributes = [axml.Attribute.string("name", name, 0x01010003)] if name else []
    return Element("application", attributes=attributes)


@pytest.mark.parametrize(
    ("declared", "qualified"),
    [
        (".App", "com.example.unit.App"),
        ("App", "com.example.unit.App"),
        ("org.other.App", "org.other.App"),
        (None, None),
    ],
)
def test_it_names_the_application_class_the_way_android_resolves_it(declared, qualified):
    assert manifest_patch.application_class(_manifest(_application(declared))) == qualified


def test_the_application_class_can_be_replaced_by_a_wrapper_once():
    document = _manifest(_application(".App"))

    assert manifest_patch.set_application_class(document, PROVIDER) == "com.example.unit.App"
    assert manifest_patch.set_application_class(document, PROVIDER) == PROVIDER
    assert manifest_patch.application_class(document) == PROVIDER
    assert manifest_patch.set_application_class(_manifest(), PROVIDER) is None


def test_sdk_levels_fall_back_as_android_does():
    uses_sdk = Element(
        "uses-sdk", attributes=[axml.Attribute.integer("minSdkVersion", 23, 0x0101020C)]
    )
    document = _manifest(uses_sdk)

    assert manifest_patch.min_sdk(document) == 23
    assert manifest_patch.target_sdk(document) == 23
    assert manifest_patch.min_sdk(_manifest()) == 1


def test_the_permission_is_declared_before_the_application_once():
    document = _manifest(_application(None))

    assert manifest_patch.ensure_permission(document) is True
    assert manifest_patch.ensure_permission(document) is False
    assert [child.name for child in document.root.children] == ["uses-permission", "application"]


def test_it_refuses_a_provider_authority_the_app_already_uses():
    other = Element(
        "provider",
        attributes=[
            axml.Attribute.string("name", "com.other.Provider", 0x01010003),
            axml.Attribute.string("authorities", "a.b;com.example.unit.fusebox", 0x01010018),
        ],
    )
    application = _application(None)
    application.children.append(other)
    document = _manifest(application)

    with pytest.raises(FusionError) as raised:
        manifest_patch.add_provider(document, PROVIDER, "com.example.unit.fusebox", 1)

    assert raised.value.code == "provider_authority_conflict"


@pytest.mark.parametrize(
    ("class_name", "authority", "init_order"),
    [
        ("NoPackage", "a.b", 1),
        ("com.x.Bad-Name", "a.b", 1),
        (PROVIDER, "", 1),
        (PROVIDER, "a.b;c.d", 1),
        (PROVIDER, "a.b", 2**31),
    ],
)
def test_it_refuses_a_provider_android_would_not_load(class_name, authority, init_order):
    document = _manifest(_application(None))

    with pytest.raises(FusionError) as raised:
        manifest_patch.add_provider(document, class_name, authority, init_order)

    assert raised.value.code == "provider_invalid"


def test_adding_the_provider_twice_leaves_one_provider():
    document = _manifest(_application(".App"))

    assert manifest_patch.add_provider(document, PROVIDER, "com.example.unit.fusebox", 5)
    assert not manifest_patch.add_provider(document, PROVIDER, "com.example.unit.fusebox", 5)
    assert len(document.find_all("application/provider")) == 1


def test_it_creates_the_application_element_when_the_manifest_has_none():
    document = _manifest()

    manifest_patch.add_provider(document, PROVIDER, "com.example.unit.fusebox", 5)
    manifest_patch.set_network_security_config(document, 0x7F0A0001)

    assert manifest_patch.network_security_config_ref(document) == 0x7F0A0001
    assert document.find("application/provider").get("initOrder") == 5


def test_it_refuses_a_manifest_for_another_package():
    document = _manifest(_application(None))

    with pytest.raises(FusionError) as raised:
        patch_app_resources(
            axml.serialize(document),
            b"",
            {}.__getitem__,
            package="com.example.other",
            provider_class=PROVIDER,
            authority="x.y",
            init_order=1,
        )

    assert raised.value.code == "package_mismatch"


def test_the_app_s_cleartext_choice_survives_the_new_configuration():
    application = _application(None)
    application.attributes.append(axml.Attribute.boolean("usesCleartextTraffic", True, 0x010104EC))
    manifest = axml.serialize(_manifest(application))
    table = corpus_entry("UnCrackable-Level1.apk", "resources.arsc")

    patch = patch_app_resources(
        manifest,
        table,
        {}.__getitem__,
        package="com.example.unit",
        provider_class=PROVIDER,
        authority="com.example.unit.fusebox",
        init_order=1,
        pinned_hosts=["api.example.com"],
    )

    config = axml.parse(patch.new_files["res/xml/fusebox_network_security_config.xml"])
    assert config.find("base-config").get("cleartextTrafficPermitted", None) is True
    assert "usesCleartextTraffic is kept" in " ".join(patch.summary)


def test_a_network_config_reference_the_table_lacks_is_reported():
    application = _application(None)
    application.attributes.append(
        axml.Attribute.reference("networkSecurityConfig", 0x7F7F0001, 0x01010527)
    )
    manifest = axml.serialize(_manifest(application))

    with pytest.raises(FusionError) as raised:
        patch_app_resources(
            manifest,
            corpus_entry("UnCrackable-Level1.apk", "resources.arsc"),
            {}.__getitem__,
            package=None,
            provider_class=PROVIDER,
            authority="com.example.unit.fusebox",
            init_order=1,
            pinned_hosts=["api.example.com"],
        )

    assert raised.value.code == "network_config_invalid"
    assert "0x7f7f0001" in raised.value.message
