"""Inspection reports the same facts as Google's aapt and the signers apksigner sees."""

import hashlib
import re
import subprocess

import pytest

from tests.support.android import ACCEPTED_CORPUS, corpus_file, requires_android_tools
from workers.engine.errors import GateError
from workers.engine.inspect import inspect_apk

pytestmark = [requires_android_tools, pytest.mark.android_tools]


def _badging(path) -> dict:
    output = subprocess.run(
        ["aapt", "dump", "badging", str(path)], capture_output=True, text=True, check=True
    ).stdout
    package = re.search(
        r"^package: name='([^']*)' versionCode='([^']*)' versionName='([^']*)'", output, re.M
    )
    sdk = re.search(r"^sdkVersion:'(\d+)'", output, re.M)
    target = re.search(r"^targetSdkVersion:'(\d+)'", output, re.M)
    native = re.search(r"^native-code: (.*)$", output, re.M)
    return {
        "package": package.group(1),
        "version_code": int(package.group(2)) if package.group(2) else None,
        "version_name": package.group(3) or None,
        "min_sdk": int(sdk.group(1)) if sdk else None,
        "target_sdk": int(target.group(1)) if target else None,
        "permissions": set(re.findall(r"^uses-permission: name='([^']*)'", output, re.M)),
        "native_abis": sorted(re.findall(r"'([^']*)'", native.group(1))) if native else [],
        "debuggable": "application-debuggable" in output,
        "launchable": re.findall(r"^launchable-activity: name='([^']*)'", output, re.M),
    }


def _application_name(path) -> str | None:
    tree = subprocess.run(
        ["aapt", "dump", "xmltree", str(path), "AndroidManifest.xml"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    application = tree.split("E: application", 1)
    if len(application) < 2:
        return None
    block = application[1].split("E: ", 1)[0]
    found = re.search(r'A: android:name\(0x01010003\)="([^"]*)"', block)
    return found.group(1) if found else None


def _apksigner_certificate_digests(path) -> set[str]:
    output = subprocess.run(
        ["apksigner", "verify", "--print-certs", str(path)],
        capture_output=True,
        text=True,
        check=False,
    ).stdout
    return set(re.findall(r"certificate SHA-256 digest: ([0-9a-f]{64})", output))


@pytest.mark.parametrize("kind", ["application", "multidex", "native"])
def test_it_reports_what_aapt_reports_for_fixture_apps(engine_apps, kind):
    path = engine_apps[kind]
    expected = _badging(path)

    facts = inspect_apk(path).to_dict()

    for key in ("package", "version_code", "version_name", "min_sdk", "target_sdk"):
        assert facts[key] == expected[key], key
    assert set(facts["permissions"]) == expected["permissions"]
    assert facts["native_abis"] == expected["native_abis"]
    assert facts["debuggable"] is expected["debuggable"]
    assert facts["activities"] == expected["launchable"]
    assert facts["application_class"] == _application_name(path)


def test_it_lists_every_dex_file_with_its_size(engine_apps):
    facts = inspect_apk(engine_apps["multidex"])

    assert [item["name"] for item in facts.dex_files] == [
        "classes.dex",
        "classes2.dex",
        "classes3.dex",
    ]
    assert all(item["size"] > 100 for item in facts.dex_files)
    assert facts.application_class == "com.example.multidex.MultiApp"


def test_it_reports_no_application_class_when_there_is_none(engine_apps):
    assert inspect_apk(engine_apps["native"]).application_class is None


def test_it_reports_the_signer_apksigner_sees_and_the_file_digest(engine_apps):
    path = engine_apps["application"]

    facts = inspect_apk(path)

    digests = {s.certificate_sha256 for signers in facts.signers.values() for s in signers}
    assert digests == _apksigner_certificate_digests(path)
    assert {"v1", "v2"} <= set(facts.signers)
    assert "CN=Fixture RSA Signer" in facts.signers["v2"][0].subject
    assert facts.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert facts.file_size == path.stat().st_size


@pytest.mark.parametrize("name", ACCEPTED_CORPUS)
def test_it_inspects_every_accepted_corpus_app_like_aapt(name):
    path = corpus_file(name)
    expected = _badging(path)

    facts = inspect_apk(path).to_dict()

    for key in ("package", "version_code", "version_name", "target_sdk", "native_abis"):
        assert facts[key] == expected[key], key
    assert facts["min_sdk"] == expected["min_sdk"] or expected["min_sdk"] is None
    assert set(facts["permissions"]) <= expected["permissions"]
    assert facts["debuggable"] is expected["debuggable"]


def test_it_reports_an_unsigned_app_without_signers():
    facts = inspect_apk(corpus_file("TestActivity_unsigned.apk"))

    assert facts.signers == {}


def test_it_runs_the_gate_before_any_other_parser():
    with pytest.raises(GateError) as caught:
        inspect_apk(corpus_file("janus.apk"))

    assert caught.value.code == "zip_prefix_bytes"
