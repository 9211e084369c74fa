"""Build small, real Android apps with Debian's Android tools for use as test fixtures.

Apps are assembled from scratch with ``aapt``, ``smali``, ``zipalign`` and ``apksigner`` so
that tests exercise the engine on bytes produced by Google's own tool chain, not on archives
written by the code under test.
"""

import fcntl
import functools
import hashlib
import os
import shutil
import subprocess
import tempfile
import textwrap
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

FRAMEWORK_RES = Path("/usr/share/android-framework-res/framework-res.apk")
REQUIRED_TOOLS = ("aapt", "smali", "zipalign", "apksigner", "keytool", "dexdump")
CORPUS_DIR = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "files"
KEYSTORE_PASSWORD = "fixture-store-pass"
_BUILDER_VERSION = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()
_cache_root: Path | None = None


def missing_android_tools() -> list[str]:
    missing = [tool for tool in REQUIRED_TOOLS if shutil.which(tool) is None]
    if not FRAMEWORK_RES.is_file():
        missing.append(str(FRAMEWORK_RES))
    return missing


requires_android_tools = pytest.mark.skipif(
    bool(missing_android_tools()),
    reason="Debian's Android tools are missing (the CI script installs them)",
)


# Corpus files a user may really upload (kinds normal, native, multidex, signing-*, unsigned
# and edge-* in the corpus's SOURCES.tsv); tests/test_fixture_apps.py keeps this in step.
ACCEPTED_CORPUS = (
    "TestActivity_unsigned.apk",
    "UnCrackable-Level1.apk",
    "XposedInstaller_3.1.5.apk",
    "app-prod-debug.apk",
    "com.test.intent_filter.apk",
    "golden-aligned-v1-out.apk",
    "golden-aligned-v1v2v3-lineage-out.apk",
    "golden-aligned-v2-out.apk",
    "golden-aligned-v3-out.apk",
    "issue2701.apk",
    "org.dyndns.fules.ck_20.apk",
    "org.sajeg.fallingblocks_3.apk",
    "sparse.apk",
    "v1-only-max-sized-eocd-comment.apk",
    "v1-only-with-dsa-sha256-1.2.840.10040.4.1-2048.apk",
    "valid-stamp.apk",
)
UNSIGNED_CORPUS = ("TestActivity_unsigned.apk", "sparse.apk")
ACCEPTED_KINDS = ("normal", "native", "multidex", "signing-", "unsigned", "edge-")


def use_fixture_cache(directory: Path) -> None:
    """Share built apps and keystores under ``directory`` (one test run, every worker)."""
    global _cache_root
    _cache_root = directory


def _from_cache(key: tuple, produce: Callable[[Path], None]) -> Path:
    """The folder holding what ``produce`` writes for ``key``, built once per test run.

    Java tools start slowly, so apps and keys are built once and copied to each caller.
    A lock file lets parallel test workers share the folder without racing.
    """
    root = _cache_root or Path(tempfile.gettempdir()) / f"fusebox-fixtures-{os.getpid()}"
    root.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256(repr((_BUILDER_VERSION, key)).encode()).hexdigest()[:32]
    entry = root / digest
    if (entry / ".complete").exists():
        return entry

    with (root / f"{digest}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (entry / ".complete").exists():
            shutil.rmtree(entry, ignore_errors=True)
            entry.mkdir()
            produce(entry)
            (entry / ".complete").touch()
    return entry


def corpus_file(name: str) -> Path:
    path = CORPUS_DIR / name
    if not path.is_file():
        pytest.skip(f"corpus file {name} is absent (expected under {CORPUS_DIR})")
    return path


@dataclass(frozen=True)
class Keystore:
    path: Path
    alias: str
    password: str
    key_type: str


@dataclass
class AppSpec:
    """What a fixture app contains; every field maps to something real in the output APK."""

    package: str = "com.example.fixture"
    version_code: int = 1
    version_name: str = "1.0"
    min_sdk: int = 21
    target_sdk: int = 29
    application_class: str | None = "com.example.fixture.FixtureApp"
    final_application: bool = False
    extra_dex_count: int = 0
    native_abis: tuple[str, ...] = ()
    internet_permission: bool = True
    network_security_config: str | None = None
    debuggable: bool = False
    extra_assets: dict[str, bytes] = field(default_factory=dict)


def _smali_class(name: str, superclass: str, final: bool = False, body: str = "") -> str:
    descriptor = "L" + name.replace(".", "/") + ";"
    modifiers = "public final" if final else "public"
    return (
        textwrap.dedent(
            f"""\
        .class {modifiers} {descriptor}
        .super {superclass}

        .method public constructor <init>()V
            .registers 1
            invoke-direct {{p0}}, {superclass}-><init>()V
            return-void
        .end method
        """
        )
        + body
    )


def _manifest(spec: AppSpec) -> str:
    application_attrs = ['android:label="@string/app_name"', 'android:allowBackup="false"']
    if spec.application_class:
        application_attrs.insert(0, f'android:name="{spec.application_class}"')
    if spec.network_security_config:
        application_attrs.append('android:networkSecurityConfig="@xml/network_security_config"')
    if spec.debuggable:
        application_attrs.append('android:debuggable="true"')
    permission = (
        '<uses-permission android:name="android.permission.INTERNET" />'
        if spec.internet_permission
        else ""
    )
    attrs = "\n        ".join(application_attrs)
    return textwrap.dedent(
        f"""\
        <?xml version="1.0" encoding="utf-8"?>
        <manifest xmlns:android="http://schemas.android.com/apk/res/android"
            package="{spec.package}"
            android:versionCode="{spec.version_code}"
            android:versionName="{spec.version_name}">
            <uses-sdk android:minSdkVersion="{spec.min_sdk}"
                      android:targetSdkVersion="{spec.target_sdk}" />
            {permission}
            <application
                {attrs}>
                <activity android:name="{spec.package}.MainActivity" android:exported="true">
                    <intent-filter>
                        <action android:name="android.intent.action.MAIN" />
                        <category android:name="android.intent.category.LAUNCHER" />
                    </intent-filter>
                </activity>
            </application>
        </manifest>
        """
    )


def _run(args: list[str], cwd: Path) -> None:
    subprocess.run(args, cwd=cwd, check=True, capture_output=True, timeout=120)


def make_keystore(directory: Path, key_type: str = "rsa", alias: str = "release") -> Keystore:
    """Create a PKCS#12 keystore with keytool, the way app teams make their release keys."""
    cached = _from_cache(("keystore", key_type, alias), lambda out: _keytool(out, key_type, alias))
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{alias}-{key_type}.p12"
    if path.exists():
        path.unlink()
    shutil.copyfile(cached / path.name, path)
    return Keystore(path=path, alias=alias, password=KEYSTORE_PASSWORD, key_type=key_type)


def _keytool(directory: Path, key_type: str, alias: str) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{alias}-{key_type}.p12"
    key_args = ["-keyalg", "RSA", "-keysize", "2048"]
    if key_type == "ec":
        key_args = ["-keyalg", "EC", "-groupname", "secp256r1"]
    _run(
        [
            "keytool",
            "-genkeypair",
            "-keystore",
            str(path),
            "-storetype",
            "PKCS12",
            "-storepass",
            KEYSTORE_PASSWORD,
            "-keypass",
            KEYSTORE_PASSWORD,
            "-alias",
            alias,
            *key_args,
            "-validity",
            "3650",
            "-dname",
            f"CN=Fixture {key_type.upper()} Signer,O=Fusebox Tests,C=US",
        ],
        cwd=directory,
    )


def build_app(
    directory: Path,
    spec: AppSpec | None = None,
    keystore: Keystore | None = None,
    sign: bool = True,
) -> Path:
    """Build, align and (optionally) sign an app from ``spec``; returns the APK path."""
    spec = spec or AppSpec()
    key_digest = hashlib.sha256(keystore.path.read_bytes()).hexdigest() if keystore else None
    cached = _from_cache(
        ("app", repr(spec), key_digest, sign),
        lambda out: _build_app(out, spec, keystore, sign),
    )
    directory.mkdir(parents=True, exist_ok=True)
    suffix = ".apk" if sign else ".aligned.apk"
    result = directory / f"{spec.package}{suffix}"
    result.unlink(missing_ok=True)
    shutil.copyfile(cached / result.name, result)
    return result


def _build_app(directory: Path, spec: AppSpec, keystore: Keystore | None, sign: bool) -> None:
    work = directory / f"src-{spec.package}-{id(spec)}"
    shutil.rmtree(work, ignore_errors=True)
    (work / "res" / "values").mkdir(parents=True)
    (work / "AndroidManifest.xml").write_text(_manifest(spec))
    (work / "res" / "values" / "strings.xml").write_text(
        '<?xml version="1.0" encoding="utf-8"?>\n<resources>\n'
        '    <string name="app_name">Fixture</string>\n</resources>\n'
    )
    if spec.network_security_config:
        (work / "res" / "xml").mkdir()
        (work / "res" / "xml" / "network_security_config.xml").write_text(
            spec.network_security_config
        )

    _write_code(work, spec)

    unaligned = work / "app.unaligned.apk"
    _run(
        [
            "aapt",
            "package",
            "-f",
            "-M",
            "AndroidManifest.xml",
            "-S",
            "res",
            "-I",
            str(FRAMEWORK_RES),
            "-F",
            unaligned.name,
        ],
        cwd=work,
    )
    entries = sorted(str(p.relative_to(work)) for p in work.glob("classes*.dex"))
    for abi in spec.native_abis:
        lib = work / "lib" / abi / "libfixture.so"
        lib.parent.mkdir(parents=True, exist_ok=True)
        lib.write_bytes(b"\x7fELF" + bytes(4092))
        entries.append(str(lib.relative_to(work)))
    for name, data in spec.extra_assets.items():
        asset = work / "assets" / name
        asset.parent.mkdir(parents=True, exist_ok=True)
        asset.write_bytes(data)
        entries.append(str(asset.relative_to(work)))
    if entries:
        _run(["aapt", "add", unaligned.name, *entries], cwd=work)

    aligned = directory / f"{spec.package}.aligned.apk"
    _run(["zipalign", "-f", "-p", "4", str(unaligned), str(aligned)], cwd=work)
    if not sign:
        return

    keystore = keystore or make_keystore(directory / "keys")
    signed = directory / f"{spec.package}.apk"
    _run(
        [
            "apksigner",
            "sign",
            "--ks",
            str(keystore.path),
            "--ks-pass",
            f"pass:{keystore.password}",
            "--ks-key-alias",
            keystore.alias,
            "--min-sdk-version",
            str(spec.min_sdk),
            "--out",
            str(signed),
            str(aligned),
        ],
        cwd=work,
    )


def _write_code(work: Path, spec: AppSpec) -> None:
    main_src = work / "smali"
    package_dir = main_src / spec.package.replace(".", "/")
    package_dir.mkdir(parents=True)
    (package_dir / "MainActivity.smali").write_text(
        _smali_class(f"{spec.package}.MainActivity", "Landroid/app/Activity;")
    )
    if spec.application_class:
        app_dir = main_src / spec.application_class.rsplit(".", 1)[0].replace(".", "/")
        app_dir.mkdir(parents=True, exist_ok=True)
        (app_dir / (spec.application_class.rsplit(".", 1)[1] + ".smali")).write_text(
            _smali_class(
                spec.application_class,
                "Landroid/app/Application;",
                final=spec.final_application,
            )
        )
    _run(["smali", "assemble", "--api", "21", "-o", "classes.dex", "smali"], cwd=work)

    for index in range(2, spec.extra_dex_count + 2):
        extra = work / f"smali{index}"
        extra_dir = extra / spec.package.replace(".", "/") / f"part{index}"
        extra_dir.mkdir(parents=True)
        (extra_dir / "Helper.smali").write_text(
            _smali_class(f"{spec.package}.part{index}.Helper", "Ljava/lang/Object;")
        )
        _run(
            ["smali", "assemble", "--api", "21", "-o", f"classes{index}.dex", extra.name],
            cwd=work,
        )


@functools.cache
def tool_version(tool: str) -> str:
    result = subprocess.run([tool, "--version"], capture_output=True, text=True, check=False)
    return (result.stdout or result.stderr).strip()
