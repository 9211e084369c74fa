"""Fixtures shared by every suite."""

import pytest

from tests.support.android import AppSpec, build_app, make_keystore, missing_android_tools


@pytest.fixture(scope="session")
def android_workdir(tmp_path_factory):
    return tmp_path_factory.mktemp("android")


@pytest.fixture(scope="session")
def rsa_keystore(android_workdir):
    if missing_android_tools():
        pytest.skip("Debian's Android tools are missing")
    return make_keystore(android_workdir / "keys-rsa", "rsa")


@pytest.fixture(scope="session")
def ec_keystore(android_workdir):
    if missing_android_tools():
        pytest.skip("Debian's Android tools are missing")
    return make_keystore(android_workdir / "keys-ec", "ec")


@pytest.fixture(scope="session")
def fixture_app(android_workdir, rsa_keystore):
    """A small signed app with an Application class, minSdk 21."""
    return build_app(android_workdir / "fixture-app", AppSpec(), rsa_keystore)
