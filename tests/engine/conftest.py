"""Fixtures for the engine's container tests: real apps built once per session."""

import pytest

from tests.engine import hostile
from tests.support.android import AppSpec, build_app, missing_android_tools

FIXTURE_SPECS = {
    # With an Application class, minSdk 21: the shared session ``fixture_app`` is used.
    "multidex": AppSpec(
        package="com.example.multidex",
        application_class="com.example.multidex.MultiApp",
        extra_dex_count=2,
    ),
    "native": AppSpec(
        package="com.example.native",
        application_class=None,
        native_abis=("arm64-v8a", "armeabi-v7a"),
        min_sdk=28,
        target_sdk=30,
    ),
}


class _AppShelf:
    """Builds each fixture app the first time a test asks for it, then reuses it."""

    def __init__(self, workdir, keystore, application_app):
        self.workdir = workdir
        self.keystore = keystore
        self.built = {"application": application_app}

    def __getitem__(self, kind):
        if kind not in self.built:
            spec = FIXTURE_SPECS[kind]
            self.built[kind] = build_app(self.workdir / f"engine-{kind}", spec, self.keystore)
        return self.built[kind]


@pytest.fixture(scope="session")
def engine_apps(android_workdir, rsa_keystore, fixture_app):
    """Signed fixture apps by kind: ``application`` (Application class, minSdk 21),
    ``multidex`` (three DEX files) and ``native`` (no Application class, two ABIs, minSdk 28).
    """
    if missing_android_tools():
        pytest.skip("Debian's Android tools are missing")
    return _AppShelf(android_workdir, rsa_keystore, fixture_app)


@pytest.fixture(scope="session")
def small_app(engine_apps):
    return engine_apps["application"]


@pytest.fixture(scope="session")
def many_entries_apk(tmp_path_factory):
    """70,000 empty entries behind a ZIP64 end record, built once."""
    path = tmp_path_factory.mktemp("hostile-many") / "many-entries.apk"
    path.write_bytes(hostile.make_many_entries(70_000))
    return path
