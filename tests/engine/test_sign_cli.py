"""``fusebox sign`` and ``fusebox verify`` end to end: corpus apps re-signed with our key,
judged by apksigner and zipalign; refusals exit 2 with one ``error:`` line."""

import subprocess
import sys
from pathlib import Path

import pytest

from tests.engine.signing_fixtures import (
    PEM_PASSWORD,
    SIGNED_CORPUS,
    UNSIGNED_CORPUS,
    apk_sections,
    apksigner_verify,
    flipped_copy,
    write_pem_pair,
    zipalign_ok,
)
from tests.support.android import corpus_file, requires_android_tools
from workers.engine.cli import main as fusebox
from workers.engine.signing import load_signer, verify_apk

pytestmark = [requires_android_tools, pytest.mark.android_tools]
FUSEBOX = Path(sys.executable).parent / "fusebox"


@pytest.fixture(scope="module")
def password_files(tmp_path_factory, rsa_keystore):
    folder = tmp_path_factory.mktemp("passwords")
    (folder / "store.txt").write_text(rsa_keystore.password + "\n")
    (folder / "wrong.txt").write_text("definitely-wrong\n")
    (folder / "pem.txt").write_bytes(PEM_PASSWORD + b"\n")
    return folder


def _certificate_sha256(keystore) -> str:
    signer = load_signer(keystore=keystore.path, password=keystore.password.encode())
    return signer.certificate_sha256


def _sign_args(source, out, keystore, password_file, *extra):
    return [
        "sign",
        str(source),
        str(out),
        "--keystore",
        str(keystore.path),
        "--password-file",
        str(password_file),
        *extra,
    ]


@pytest.mark.parametrize("name", SIGNED_CORPUS + UNSIGNED_CORPUS)
def test_it_re_signs_corpus_apps_with_only_the_new_key(
    name, tmp_path, rsa_keystore, password_files
):
    out = tmp_path / "resigned.apk"
    signer_sha256 = _certificate_sha256(rsa_keystore)

    code = fusebox(_sign_args(corpus_file(name), out, rsa_keystore, password_files / "store.txt"))

    assert code == 0
    judged = apksigner_verify(out)
    assert judged.ok, judged.output
    assert judged.signer_sha256 == [signer_sha256]
    assert zipalign_ok(out)
    assert fusebox(["verify", str(out)]) == 0


def verify_apk_signer(keystore) -> str:
    from workers.engine.signing import load_signer

    return load_signer(
        keystore=keystore.path, password=keystore.password.encode()
    ).certificate_sha256


def test_it_signs_with_a_pem_key_and_honours_v1_off(tmp_path, password_files):
    pair = write_pem_pair(tmp_path / "keys", "ec256", encrypted=True)
    out = tmp_path / "signed.apk"

    code = fusebox(
        [
            "sign",
            str(corpus_file("UnCrackable-Level1.apk")),
            str(out),
            "--key",
            str(pair.key),
            "--cert",
            str(pair.cert),
            "--key-password-file",
            str(password_files / "pem.txt"),
            "--v1",
            "off",
        ]
    )

    assert code == 0
    assert verify_apk(out).schemes == ["v2", "v3"]
    judged = apksigner_verify(out, min_sdk=24)
    assert judged.ok and judged.signer_sha256 == [pair.sha256]


def test_it_exits_2_with_one_line_for_a_wrong_password(
    tmp_path, rsa_keystore, password_files, capsys
):
    out = tmp_path / "signed.apk"

    code = fusebox(
        _sign_args(
            corpus_file("UnCrackable-Level1.apk"), out, rsa_keystore, password_files / "wrong.txt"
        )
    )

    stderr = capsys.readouterr().err.strip().splitlines()
    assert code == 2
    assert stderr[-1].startswith("error: keystore_bad_password: ")
    assert "definitely-wrong" not in "\n".join(stderr)
    assert list(tmp_path.iterdir()) == []


def test_it_exits_2_for_an_ec_key_on_an_app_for_old_android(tmp_path, ec_keystore, capsys):
    (tmp_path / "pass.txt").write_text(ec_keystore.password)
    out = tmp_path / "out" / "signed.apk"

    code = fusebox(
        _sign_args(
            corpus_file("TestActivity_unsigned.apk"), out, ec_keystore, tmp_path / "pass.txt"
        )
    )

    assert code == 2
    assert "error: signing_key_unsupported: " in capsys.readouterr().err
    assert not out.exists()


def test_it_exits_2_for_a_hostile_upload(tmp_path, rsa_keystore, password_files, capsys):
    out = tmp_path / "signed.apk"

    code = fusebox(
        _sign_args(corpus_file("modded.apk"), out, rsa_keystore, password_files / "store.txt")
    )

    assert code == 2
    assert capsys.readouterr().err.startswith("error: zip_")
    assert not out.exists()


def test_a_flipped_byte_is_refused_by_fusebox_verify_and_apksigner(
    tmp_path, rsa_keystore, password_files
):
    signed = tmp_path / "signed.apk"
    assert (
        fusebox(
            _sign_args(
                corpus_file("UnCrackable-Level1.apk"),
                signed,
                rsa_keystore,
                password_files / "store.txt",
            )
        )
        == 0
    )
    tampered = flipped_copy(signed, tmp_path / "tampered.apk", 4096)

    if FUSEBOX.exists():
        command = [str(FUSEBOX), "verify"]
    else:
        command = [sys.executable, "-m", "workers.engine.cli", "verify"]
    good = subprocess.run([*command, str(signed)], capture_output=True, text=True, timeout=120)
    bad = subprocess.run([*command, str(tampered)], capture_output=True, text=True, timeout=120)

    assert good.returncode == 0, good.stderr
    # The gate runs first and may already refuse the broken entry (its CRC no longer fits).
    assert bad.returncode == 2
    assert bad.stderr.strip().splitlines()[-1].startswith("error: ")
    assert not apksigner_verify(tampered).ok
    assert "digest_mismatch" in {problem.code for problem in verify_apk(tampered).problems}


def test_fusebox_verify_names_the_signature_problem_the_gate_cannot_see(
    tmp_path, rsa_keystore, password_files, capsys
):
    signed = tmp_path / "signed.apk"
    passwords = password_files / "store.txt"
    code = fusebox(
        _sign_args(corpus_file("UnCrackable-Level1.apk"), signed, rsa_keystore, passwords)
    )
    assert code == 0
    capsys.readouterr()
    sections = apk_sections(signed)
    # A flip inside the v2 signer's signature: the zip is intact, the signature is not.
    tampered = flipped_copy(signed, tmp_path / "tampered.apk", sections["cd"] - 40)

    code = fusebox(["verify", str(tampered)])

    assert code == 2
    assert capsys.readouterr().err.strip().startswith("error: signature_invalid: ")


@pytest.mark.parametrize(
    "name",
    [
        "com.test.intent_filter.apk",  # v2 only, minSdk 19: no v1 for Android 6 and older
        "golden-aligned-v3-out.apk",  # v3 only, minSdk 23
        "issue2701.apk",  # v2 only, minSdk 24: fine
        "UnCrackable-Level1.apk",  # v1 + v2
    ],
)
def test_fusebox_verify_agrees_with_apksigner_on_schemes_old_android_needs(name, capsys):
    path = corpus_file(name)

    code = fusebox(["verify", str(path)])

    judged = apksigner_verify(path)
    assert (code == 0) is judged.ok, capsys.readouterr().err
    if code:
        assert "error: signature_missing: " in capsys.readouterr().err
