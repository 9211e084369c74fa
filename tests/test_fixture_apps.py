"""The fixture builder itself produces apps that Google's tools accept."""

import subprocess

import pytest

from tests.support.android import (
    ACCEPTED_CORPUS,
    ACCEPTED_KINDS,
    CORPUS_DIR,
    AppSpec,
    build_app,
    requires_android_tools,
)

pytestmark = requires_android_tools


def test_it_builds_a_signed_app_that_apksigner_accepts(fixture_app):
    result = subprocess.run(
        ["apksigner", "verify", str(fixture_app)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr


def test_it_builds_a_multidex_app_with_native_libraries(tmp_path, rsa_keystore):
    spec = AppSpec(package="com.example.multi", extra_dex_count=2, native_abis=("arm64-v8a",))
    apk = build_app(tmp_path, spec, rsa_keystore)

    listing = subprocess.run(
        ["aapt", "list", str(apk)], capture_output=True, text=True, check=True
    ).stdout.split()
    assert {"classes.dex", "classes2.dex", "classes3.dex"} <= set(listing)
    assert "lib/arm64-v8a/libfixture.so" in listing


def test_the_accepted_corpus_list_matches_the_corpus_kinds():
    sources = CORPUS_DIR.parent / "SOURCES.tsv"
    if not sources.is_file():
        pytest.skip(f"the corpus index {sources} is absent")

    rows = [line.split("\t") for line in sources.read_text().splitlines()[1:] if line]
    accepted = {row[0] for row in rows if row[6].startswith(ACCEPTED_KINDS)}

    assert accepted == set(ACCEPTED_CORPUS)
