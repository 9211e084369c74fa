"""sign_apk on fixture apps built by Google's tools, judged by apksigner, jarsigner and
zipalign (none of which share code with the signer)."""

import shutil
import zipfile

import pytest

from tests.engine.signing_fixtures import (
    apksigner_verify,
    build_unsigned_app,
    have_jarsigner,
    jarsigner_verifies,
    write_pem_pair,
    zipalign_ok,
)
from tests.support.android import requires_android_tools
from workers.engine.errors import SigningError
from workers.engine.signing import load_signer, sign_apk, verify_apk

pytestmark = [requires_android_tools, pytest.mark.android_tools]


@pytest.fixture(scope="module")
def unsigned_apps(android_workdir):
    """Unsigned, aligned apps: minSdk 21 (multidex + native lib) and minSdk 28."""
    base = android_workdir / "signing-inputs"
    return {
        21: build_unsigned_app(base / "sdk21", 21, extra_dex_count=1, native_abis=("arm64-v8a",)),
        28: build_unsigned_app(base / "sdk28", 28, application_class=None),
    }


def _signer(keystore):
    return load_signer(keystore=keystore.path, password=keystore.password.encode())


@pytest.mark.parametrize("store", ["rsa_keystore", "ec_keystore"])
@pytest.mark.parametrize("min_sdk", [21, 28])
def test_it_signs_fixture_apps_so_apksigner_sees_exactly_the_given_key(
    unsigned_apps, tmp_path, request, store, min_sdk
):
    signer = _signer(request.getfixturevalue(store))
    out = tmp_path / "signed.apk"

    report = sign_apk(unsigned_apps[min_sdk], out, signer, min_sdk=min_sdk)

    expected = ("v1", "v2", "v3") if min_sdk < 24 else ("v2", "v3")
    assert report.schemes == expected
    assert report.signer_sha256 == signer.certificate_sha256
    assert report.output_size == out.stat().st_size
    # Asking apksigner about API 24 makes it check v2 as well as v3.
    judged = apksigner_verify(out, min_sdk=min(min_sdk, 24))
    assert judged.ok, judged.output
    assert judged.signer_sha256 == [signer.certificate_sha256]
    assert judged.schemes["v1"] is (min_sdk < 24)
    assert judged.schemes["v2"] and judged.schemes["v3"]
    assert zipalign_ok(out)
    if min_sdk < 24 and have_jarsigner():
        assert jarsigner_verifies(out)


def test_it_adds_the_stripping_protection_header_to_the_v1_signature(
    unsigned_apps, tmp_path, rsa_keystore
):
    out = tmp_path / "signed.apk"

    sign_apk(unsigned_apps[21], out, _signer(rsa_keystore), min_sdk=21)

    with zipfile.ZipFile(out) as archive:
        signature_file = archive.read("META-INF/CERT.SF").decode()
        manifest = archive.read("META-INF/MANIFEST.MF").decode()
        names = archive.namelist()
    assert "X-Android-APK-Signed: 2, 3" in signature_file
    assert "SHA-256-Digest-Manifest: " in signature_file
    assert "Name: classes2.dex" in manifest
    assert "META-INF/CERT.RSA" in names


@pytest.mark.parametrize(("v1", "expected"), [(True, ("v1", "v2", "v3")), (False, ("v2", "v3"))])
def test_it_follows_an_explicit_v1_choice_over_min_sdk(
    unsigned_apps, tmp_path, ec_keystore, v1, expected
):
    out = tmp_path / "signed.apk"

    report = sign_apk(unsigned_apps[28], out, _signer(ec_keystore), v1=v1, min_sdk=28)

    assert report.schemes == expected
    assert verify_apk(out).schemes == list(expected)


@pytest.mark.parametrize("kind", ["rsa4096", "ec384"])
def test_it_signs_with_pem_keys_apksigner_accepts(unsigned_apps, tmp_path, kind):
    pair = write_pem_pair(tmp_path / "keys", kind)
    signer = load_signer(key_pem=pair.key, cert_pem=pair.cert)
    out = tmp_path / "signed.apk"

    sign_apk(unsigned_apps[21], out, signer, min_sdk=21)

    judged = apksigner_verify(out)
    assert judged.ok, judged.output
    assert judged.signer_sha256 == [pair.sha256]


def test_it_uses_sha1_jar_digests_below_api_18(unsigned_apps, tmp_path, rsa_keystore):
    out = tmp_path / "signed.apk"

    report = sign_apk(unsigned_apps[21], out, _signer(rsa_keystore), min_sdk=9)

    assert report.v1_digest_algorithm == "SHA-1"
    with zipfile.ZipFile(out) as archive:
        assert "SHA1-Digest: " in archive.read("META-INF/MANIFEST.MF").decode()
    judged = apksigner_verify(out, min_sdk=9)
    assert judged.ok, judged.output


def test_it_refuses_ec_v1_signatures_for_devices_older_than_api_18(
    unsigned_apps, tmp_path, ec_keystore
):
    out = tmp_path / "signed.apk"

    with pytest.raises(SigningError) as raised:
        sign_apk(unsigned_apps[21], out, _signer(ec_keystore), min_sdk=15)

    assert raised.value.code == "signing_key_unsupported"
    assert list(tmp_path.iterdir()) == []


def test_it_refuses_an_input_that_is_already_signed(fixture_app, tmp_path, rsa_keystore):
    out = tmp_path / "signed.apk"

    with pytest.raises(SigningError) as raised:
        sign_apk(fixture_app, out, _signer(rsa_keystore))

    assert raised.value.code == "apk_already_signed"
    assert list(tmp_path.iterdir()) == []


def test_it_leaves_nothing_behind_when_the_input_is_not_a_zip(tmp_path, rsa_keystore):
    broken = tmp_path / "in" / "broken.apk"
    broken.parent.mkdir()
    broken.write_bytes(b"PK\x03\x04 this is not really a zip" * 10)
    out_dir = tmp_path / "out"

    with pytest.raises(SigningError) as raised:
        sign_apk(broken, out_dir / "signed.apk", _signer(rsa_keystore))

    assert raised.value.code == "apk_malformed"
    assert list(out_dir.iterdir()) == []


def test_it_replaces_an_existing_output_atomically(unsigned_apps, tmp_path, rsa_keystore):
    out = tmp_path / "signed.apk"
    out.write_bytes(b"previous build")

    sign_apk(unsigned_apps[28], out, _signer(rsa_keystore), min_sdk=28)

    assert verify_apk(out).verified
    assert [p.name for p in tmp_path.iterdir()] == ["signed.apk"]


@pytest.mark.parametrize("min_sdk", [21, 28])
def test_it_can_sign_a_temporary_input_in_place(unsigned_apps, tmp_path, rsa_keystore, min_sdk):
    scratch = tmp_path / "unsigned.apk"
    shutil.copyfile(unsigned_apps[min_sdk], scratch)
    out = tmp_path / "signed.apk"

    report = sign_apk(scratch, out, _signer(rsa_keystore), min_sdk=min_sdk, in_place=True)

    assert not scratch.exists()
    assert report.output_size == out.stat().st_size
    judged = apksigner_verify(out, min_sdk=min(min_sdk, 24))
    assert judged.ok, judged.output
    assert zipalign_ok(out)


def test_it_refuses_entry_names_that_would_break_the_jar_manifest(tmp_path, rsa_keystore):
    unsigned = tmp_path / "odd.apk"
    with zipfile.ZipFile(unsigned, "w") as archive:
        archive.writestr("AndroidManifest.xml", b"\x03\x00\x08\x00")
        archive.writestr("assets/a\r\nName: classes.dex", b"payload")
    out = tmp_path / "out" / "signed.apk"

    with pytest.raises(SigningError) as raised:
        sign_apk(unsigned, out, _signer(rsa_keystore), v1=True)

    assert raised.value.code == "apk_bad_entry_name"
    assert list(out.parent.iterdir()) == []
