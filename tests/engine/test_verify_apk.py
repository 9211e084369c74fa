"""verify_apk against apksigner's verdicts: accepted signed apps, tampered and stripped ones."""

import base64
import hashlib
import struct
import zipfile

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from tests.engine.signing_fixtures import (
    SIGNED_CORPUS,
    apk_sections,
    apksigner_verify,
    build_unsigned_app,
    flipped_copy,
    with_custom_block,
    without_signing_block,
)
from tests.support.android import (
    CORPUS_DIR,
    AppSpec,
    build_app,
    corpus_file,
    requires_android_tools,
)
from workers.engine.errors import VerificationError
from workers.engine.signing import block as signing_block
from workers.engine.signing import load_signer, sign_apk, verify_apk

pytestmark = [requires_android_tools, pytest.mark.android_tools]


@pytest.fixture(scope="module")
def signed_outputs(android_workdir, rsa_keystore, ec_keystore):
    """Our own outputs: v1+v2+v3 (RSA, minSdk 21) and v2+v3 (EC, minSdk 28)."""
    base = android_workdir / "verify-inputs"
    outputs = {}
    for min_sdk, keystore in ((21, rsa_keystore), (28, ec_keystore)):
        unsigned = build_unsigned_app(base / f"sdk{min_sdk}", min_sdk)
        signer = load_signer(keystore=keystore.path, password=keystore.password.encode())
        outputs[min_sdk] = sign_apk(
            unsigned, base / f"signed{min_sdk}.apk", signer, min_sdk=min_sdk
        )
    return outputs


def _codes(path) -> set[str]:
    return {problem.code for problem in verify_apk(path).problems}


@pytest.mark.parametrize("store", ["rsa_keystore", "ec_keystore"])
def test_it_accepts_apps_signed_by_apksigner_and_names_the_same_signer(
    android_workdir, request, store
):
    keystore = request.getfixturevalue(store)
    apk = build_app(
        android_workdir / f"apksigner-{store}",
        AppSpec(package=f"com.example.{store.split('_')[0]}"),
        keystore,
    )

    report = verify_apk(apk)

    assert report.verified, report.problems
    assert report.schemes == ["v1", "v2", "v3"]
    judged = apksigner_verify(apk)
    assert judged.ok
    for scheme in report.schemes:
        assert [s.certificate_sha256 for s in report.signers[scheme]] == judged.signer_sha256


@pytest.mark.parametrize("name", SIGNED_CORPUS)
def test_it_accepts_signed_corpus_apps_like_apksigner_does(name):
    path = corpus_file(name)

    report = verify_apk(path)

    # API 24 so apksigner judges the signatures, not whether old devices get a v1 one.
    judged = apksigner_verify(path, min_sdk=24)
    assert judged.ok, judged.output
    assert report.verified, report.problems
    found = {s.certificate_sha256 for signers in report.signers.values() for s in signers}
    assert set(judged.signer_sha256) <= found


def test_it_reports_lineage_stamps_and_dsa_signers_without_failing():
    lineage = verify_apk(corpus_file("golden-aligned-v1v2v3-lineage-out.apk"))
    stamp = verify_apk(corpus_file("valid-stamp.apk"))
    dsa = verify_apk(corpus_file("v1-only-with-dsa-sha256-1.2.840.10040.4.1-2048.apk"))

    v3_signer = lineage.signers["v3"][0]
    assert lineage.signers["v2"][0].certificate_sha256 in v3_signer.lineage_sha256
    assert v3_signer.certificate_sha256 != lineage.signers["v2"][0].certificate_sha256
    assert any("source stamp" in note for note in stamp.notes)
    assert dsa.signers["v1"][0].key_algorithm == "DSA 2048"


def test_it_never_raises_on_any_corpus_file():
    if not CORPUS_DIR.is_dir():
        pytest.skip("corpus is absent")
    for path in sorted(CORPUS_DIR.iterdir()):
        report = verify_apk(path)
        assert report.verified or report.problems, path.name


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("modded.apk", "digest_mismatch"),
        ("GHSA-2hqv-2xv4-5h5w.apk", "digest_mismatch"),
        ("TestActivity_unsigned.apk", "signature_missing"),
        ("invalid_manifest.apk", "apk_malformed"),
        ("v2-only-truncated-cd.apk", "apk_malformed"),
    ],
)
def test_it_rejects_tampered_unsigned_and_broken_corpus_files(name, code):
    report = verify_apk(corpus_file(name))

    assert not report.verified
    assert code in {problem.code for problem in report.problems}
    with pytest.raises(VerificationError):
        report.raise_for_problems()


@pytest.mark.parametrize("min_sdk", [21, 28])
def test_it_accepts_our_own_outputs(signed_outputs, min_sdk):
    report = verify_apk(signed_outputs[min_sdk].output)

    assert report.verified, report.problems
    assert {s.certificate_sha256 for v in report.signers.values() for s in v} == {
        signed_outputs[min_sdk].signer_sha256
    }


@pytest.mark.parametrize("where", ["entry", "central_directory", "signing_block", "end_record"])
@pytest.mark.parametrize("min_sdk", [21, 28])
def test_it_rejects_a_one_byte_flip_in_each_section(signed_outputs, tmp_path, where, min_sdk):
    signed = signed_outputs[min_sdk].output
    sections = apk_sections(signed)
    offset = {
        "entry": sections["block"] // 2,
        "central_directory": sections["cd"] + sections["cd_size"] // 2,
        "signing_block": (sections["block"] + sections["cd"]) // 2,
        "end_record": sections["eocd"] + 10,
    }[where]

    tampered = flipped_copy(signed, tmp_path / "tampered.apk", offset)

    assert not verify_apk(tampered).verified
    assert not apksigner_verify(tampered).ok


@pytest.mark.slow
@pytest.mark.parametrize("min_sdk", [21, 28])
def test_it_rejects_a_one_byte_flip_anywhere(signed_outputs, tmp_path, min_sdk):
    signed = signed_outputs[min_sdk].output
    data = bytearray(signed.read_bytes())
    sections = apk_sections(signed)
    # Every byte of the signing block and end record, every 5th of the central directory
    # and every 23rd of the entries (their bytes are all covered by the same digests).
    offsets = [
        *range(0, sections["block"], 23),
        *range(sections["block"], sections["cd"]),
        *range(sections["cd"], sections["eocd"], 5),
        *range(sections["eocd"], len(data)),
    ]
    tampered = tmp_path / "tampered.apk"
    accepted = []
    for offset in offsets:
        data[offset] ^= 0x01
        tampered.write_bytes(data)
        if verify_apk(tampered).verified:
            accepted.append(offset)
        data[offset] ^= 0x01

    assert accepted == []


def test_it_detects_a_v1_signature_stripped_of_its_signing_block(signed_outputs, tmp_path):
    stripped = without_signing_block(signed_outputs[21].output, tmp_path / "stripped.apk")

    assert "v1_stripping_detected" in _codes(stripped)
    assert not apksigner_verify(stripped).ok


def test_it_reports_a_missing_signature_when_only_v2_v3_are_stripped(signed_outputs, tmp_path):
    stripped = without_signing_block(signed_outputs[28].output, tmp_path / "stripped.apk")

    assert _codes(stripped) == {"signature_missing"}


@pytest.mark.parametrize("keep", [0.5, 0.9, 0.999])
def test_it_rejects_a_truncated_file(signed_outputs, tmp_path, keep):
    data = signed_outputs[21].output.read_bytes()
    truncated = tmp_path / "truncated.apk"
    truncated.write_bytes(data[: int(len(data) * keep)])

    report = verify_apk(truncated)

    assert not report.verified
    assert "apk_malformed" in {problem.code for problem in report.problems}


def test_it_reports_different_signers_across_schemes(signed_outputs, tmp_path, ec_keystore):
    source = without_signing_block(signed_outputs[21].output, tmp_path / "v1-only.apk")
    other = load_signer(keystore=ec_keystore.path, password=ec_keystore.password.encode())

    mixed = with_custom_block(
        source,
        tmp_path / "mixed.apk",
        lambda digest: [
            (signing_block.V2_BLOCK_ID, signing_block.v2_scheme_value(other, digest)),
            (signing_block.V3_BLOCK_ID, signing_block.v3_scheme_value(other, digest)),
        ],
    )

    assert _codes(mixed) == {"signers_differ"}


def test_it_verifies_a_v3_1_block_beside_v3(signed_outputs, tmp_path, ec_keystore):
    source = without_signing_block(signed_outputs[28].output, tmp_path / "stripped.apk")
    signer = load_signer(keystore=ec_keystore.path, password=ec_keystore.password.encode())

    def pairs(digest):
        v3 = signing_block.v3_scheme_value(signer, digest)
        return [(signing_block.V3_BLOCK_ID, v3), (signing_block.V31_BLOCK_ID, v3)]

    report = verify_apk(with_custom_block(source, tmp_path / "v31.apk", pairs))

    assert report.verified, report.problems
    assert report.schemes == ["v3", "v3.1"]


def test_it_reports_an_unknown_signature_algorithm_instead_of_raising(
    signed_outputs, tmp_path, ec_keystore
):
    source = without_signing_block(signed_outputs[28].output, tmp_path / "stripped.apk")
    signer = load_signer(keystore=ec_keystore.path, password=ec_keystore.password.encode())

    def pairs(digest):
        value = signing_block.v2_scheme_value(signer, digest, with_v3=False)
        # Rename ECDSA-SHA256 (0x0201) to an id no Android version defines, everywhere.
        return [
            (signing_block.V2_BLOCK_ID, value.replace(b"\x01\x02\x00\x00", b"\x99\x09\x00\x00"))
        ]

    report = verify_apk(with_custom_block(source, tmp_path / "odd.apk", pairs))

    assert "signature_algorithm_unknown" in {problem.code for problem in report.problems}
    assert report.signers["v2"][0].signature_algorithms == ["unknown 0x0999"]


@pytest.mark.slow
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    edits=st.lists(
        st.tuples(st.floats(0, 1, exclude_max=True), st.integers(1, 255)), min_size=1, max_size=6
    ),
    cut=st.one_of(st.none(), st.floats(0, 1)),
)
def test_it_reports_any_damage_without_raising(signed_outputs, tmp_path, edits, cut):
    original = signed_outputs[21].output.read_bytes()
    data = bytearray(original)
    for position, change in edits:
        data[int(position * len(data))] ^= change
    if cut is not None:
        data = data[: int(cut * len(data))]
    assume(bytes(data) != original)  # two edits of one byte can cancel out
    damaged = tmp_path / "damaged.apk"
    damaged.write_bytes(bytes(data))

    report = verify_apk(damaged, min_sdk=21)

    assert not report.verified
    assert report.problems


def test_it_rejects_an_entry_added_with_its_own_manifest_section(signed_outputs, tmp_path):
    # The .SF still matches every old manifest section, but not the whole new manifest,
    # so the added entry is covered by MANIFEST.MF alone: it must count as unsigned.
    signed = signed_outputs[21].output
    added = b"not signed by anyone"
    section = (
        b"Name: assets/added.txt\r\nSHA-256-Digest: "
        + base64.b64encode(hashlib.sha256(added).digest())
        + b"\r\n\r\n"
    )
    tampered = tmp_path / "tampered.apk"
    with zipfile.ZipFile(signed) as source, zipfile.ZipFile(tampered, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "META-INF/MANIFEST.MF":
                data += section
            target.writestr(info, data)
        target.writestr("assets/added.txt", added)

    codes = _codes(tampered)

    assert "v1_entry_unsigned" in codes
    assert not apksigner_verify(tampered).ok


def _rotation_proof(old, new, signature: bytes | None = None) -> bytes:
    """A v3 proof-of-rotation from ``old`` to ``new``, signed by ``old`` unless overridden."""
    first_signed = signing_block.prefixed(old.certificate_der) + struct.pack("<I", 0)
    algorithm = old.signature_algorithm_id
    second_signed = signing_block.prefixed(new.certificate_der) + struct.pack("<I", algorithm)
    if signature is None:
        signature = old.sign(second_signed)
    nodes = [
        signing_block.prefixed(first_signed)
        + struct.pack("<II", 0x17, algorithm)
        + signing_block.prefixed(b""),
        signing_block.prefixed(second_signed)
        + struct.pack("<II", 0x17, 0)
        + signing_block.prefixed(signature),
    ]
    value = struct.pack("<I", 1) + b"".join(signing_block.prefixed(node) for node in nodes)
    return struct.pack("<I", 0x3BA06F8C) + value


@pytest.mark.parametrize("genuine", [True, False])
def test_it_accepts_a_key_rotation_only_when_the_old_key_signed_it(
    signed_outputs, tmp_path, rsa_keystore, ec_keystore, genuine
):
    source = without_signing_block(signed_outputs[28].output, tmp_path / "stripped.apk")
    old = load_signer(keystore=rsa_keystore.path, password=rsa_keystore.password.encode())
    new = load_signer(keystore=ec_keystore.path, password=ec_keystore.password.encode())
    proof = _rotation_proof(old, new, None if genuine else bytes(256))

    def pairs(digest):
        return [
            (signing_block.V2_BLOCK_ID, signing_block.v2_scheme_value(old, digest)),
            (signing_block.V3_BLOCK_ID, signing_block.v3_scheme_value(new, digest, [proof])),
        ]

    report = verify_apk(with_custom_block(source, tmp_path / "rotated.apk", pairs))

    assert report.signers["v3"][0].lineage_sha256 == [
        old.certificate_sha256,
        new.certificate_sha256,
    ]
    if genuine:
        assert report.verified, report.problems
    else:
        assert [p.code for p in report.problems] == ["signature_invalid"]
        assert "lineage" in report.problems[0].message
