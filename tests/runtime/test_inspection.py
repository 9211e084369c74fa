"""check-fused's view of the runtime: classes, build values, identity for the real signer."""

import hashlib
import zipfile

from tests.runtime import pki
from tests.runtime.conftest import PACKAGE
from tests.support.android import requires_android_tools
from workers.engine.dex import class_descriptors
from workers.engine.identity_seal import seal_identity
from workers.engine.runtime import BuildValues, runtime_dex
from workers.engine.runtime.dex_patch import committed_runtime_dex
from workers.engine.runtime.inspection import REQUIRED_CLASSES, inspect_runtime


def fused_parts(p12_files, signer_sha256):
    sealed = seal_identity(
        p12_files["default"], pki.P12_PASSWORD, signer_sha256=signer_sha256, package=PACKAGE
    )
    dex = runtime_dex(
        BuildValues(
            runtime_secret=sealed.runtime_secret,
            signer_sha256=signer_sha256,
            mode="defend",
            pinned_hosts=("api.example.com",),
        )
    )
    return {"classes.dex": b"dex\n035\x00" + bytes(200), "classes2.dex": dex}, sealed.asset


def test_it_reports_the_runtime_and_an_identity_that_decrypts_for_the_signer(
    p12_files, signer_sha256
):
    dex_files, asset = fused_parts(p12_files, signer_sha256)

    report = inspect_runtime(dex_files, asset, PACKAGE, [signer_sha256])

    assert report.runtime_dex == "classes2.dex"
    assert report.classes == REQUIRED_CLASSES
    assert report.runtime_complete
    assert report.mode == "defend"
    assert report.pinned_hosts == ("api.example.com",)
    assert "secret" not in report.build_values
    assert report.identity is not None
    assert "CN=fusebox-client-01" in report.identity.subject
    assert report.decrypting_signer_sha256 == signer_sha256.hex()


def test_a_resigned_app_reports_its_identity_as_not_decryptable(p12_files, signer_sha256):
    dex_files, asset = fused_parts(p12_files, signer_sha256)
    other = hashlib.sha256(b"another signing certificate").digest()

    report = inspect_runtime(dex_files, asset, PACKAGE, [other])

    assert report.runtime_complete
    assert report.identity is None
    assert report.identity_error == "identity_not_decryptable"


def test_an_app_that_was_not_fused_reports_no_runtime():
    report = inspect_runtime({"classes.dex": committed_runtime_dex()[:0]}, None, PACKAGE, [])

    assert report.runtime_dex is None
    assert not report.runtime_complete
    assert report.identity_error == "identity_absent"


def test_an_unpatched_runtime_reports_missing_build_values(p12_files, signer_sha256):
    _, asset = fused_parts(p12_files, signer_sha256)

    report = inspect_runtime({"classes2.dex": committed_runtime_dex()}, asset, PACKAGE, [])

    assert report.runtime_complete
    assert report.identity_error == "build_values_absent"


@requires_android_tools
def test_it_reads_the_class_table_of_a_real_app_dex(fixture_app):
    with zipfile.ZipFile(fixture_app) as app:
        dex = app.read("classes.dex")

    assert "Lcom/example/fixture/FixtureApp;" in class_descriptors(dex)
    assert class_descriptors(committed_runtime_dex()) == sorted(
        f"Lio/fusebox/runtime/{name};" for name in REQUIRED_CLASSES
    )
