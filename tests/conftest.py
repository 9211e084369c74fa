"""Fixtures shared by every suite."""

import pytest

from tests.support.android import (
    AppSpec,
    build_app,
    make_keystore,
    missing_android_tools,
    use_fixture_cache,
)


@pytest.fixture(scope="session", autouse=True)
def shared_fixture_cache(tmp_path_factory, worker_id):
    """One cache of built apps and keystores for the whole run, shared by xdist workers."""
    base = tmp_path_factory.getbasetemp()
    use_fixture_cache((base if worker_id == "master" else base.parent) / "android-fixtures")


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
