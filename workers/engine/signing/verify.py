"""Verify every signature an APK carries (v1, v2, v3, v3.1) and report signers per scheme.

Used by ``fusebox verify`` on our own output and by ``fusebox inspect`` on arbitrary
uploads, so it reports what it cannot check instead of raising: the only exception that
leaves ``verify_apk`` is ``OSError`` for a file that cannot be opened.
"""

import contextlib
import logging
import struct
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from workers.engine.errors import VerificationError
from workers.engine.signing import block as signing_block
from workers.engine.signing import jar_verify, layout, schemes
from workers.engine.signing.report import VerificationReport

logger = logging.getLogger(__name__)

SCHEME_IDS = {
    signing_block.V2_BLOCK_ID: "v2",
    signing_block.V3_BLOCK_ID: "v3",
    signing_block.V31_BLOCK_ID: "v3.1",
}
KNOWN_OTHER_IDS = {
    0x42726577: "verity padding",
    0x6DFF800D: "source stamp v2",
    0x2B09189E: "source stamp v1",
    0x504B4453: "dependency info",
}


def verify_apk(path: Path, *, min_sdk: int | None = None) -> VerificationReport:
    """Verify ``path``; the report lists signers per scheme and every problem found.

    With the app's ``min_sdk`` it also checks, as apksigner does, that every Android version
    the app supports finds a scheme it understands (v1 below 7.0, v2 below 9).
    """
    path = Path(path)
    report = VerificationReport(path=path)
    with path.open("rb") as handle:
        try:
            _verify(handle, path.stat().st_size, report)
        except VerificationError as error:
            report.add_problem(error.code, error.message)
        except OSError:
            raise
        except Exception as error:  # damaged structures raise many types; report, not crash
            logger.info(
                "verification of %s stopped at a damaged structure", path.name, exc_info=True
            )
            report.add_problem("signature_malformed", _damaged(error))
    if not report.schemes and not report.problems:
        report.add_problem("signature_missing", "the APK carries no v1, v2 or v3 signature")
    elif min_sdk is not None and report.schemes:
        _check_supported_versions(report, min_sdk)
    logger.info(
        "verified %s: schemes %s, %d problem(s)",
        path.name,
        ",".join(report.schemes) or "none",
        len(report.problems),
    )
    return report


def _verify(handle, size: int, report: VerificationReport) -> None:
    apk = layout.read_layout(handle, size)
    entries = layout.read_central_directory(handle, apk)
    pairs = parse_block(apk.block) if apk.block is not None else []
    report.block_ids = [pair_id for pair_id, _ in pairs]
    block_ids = set(report.block_ids)

    for pair_id in report.block_ids:
        if pair_id in KNOWN_OTHER_IDS:
            report.notes.append(
                f"signing block holds a {KNOWN_OTHER_IDS[pair_id]} entry (not verified)"
            )
        elif pair_id not in SCHEME_IDS and _one_byte_from_scheme(pair_id):
            report.add_problem(
                "signing_block_malformed",
                f"signing block entry 0x{pair_id:08x} looks like a damaged signature scheme id",
            )

    needed: set[str] = set()
    for pair_id, value in pairs:
        if pair_id in SCHEME_IDS:
            with contextlib.suppress(Exception):  # a damaged block is reported below
                needed |= schemes.scheme_needed_hashes(value)

    # The content digests and the v1 check each read the whole file; hashlib and zlib
    # release the GIL, so they run side by side. v1 problems are listed after the others.
    v1_report = VerificationReport(path=report.path)
    with ThreadPoolExecutor(max_workers=1) as pool:
        pending = pool.submit(_content_digests, report.path, apk, needed) if needed else None
        if jar_verify.has_v1_signature(entries):
            v1_report.signers["v1"] = _verify_v1(handle, entries, v1_report, block_ids)
        digests = pending.result() if pending is not None else {}

    for pair_id, value in pairs:
        scheme = SCHEME_IDS.get(pair_id)
        if scheme is None:
            continue
        try:
            found = schemes.verify_scheme(scheme, value, digests.__getitem__, report, block_ids)
        except Exception as error:  # any parse failure of one scheme is that scheme's problem
            report.add_problem("signature_malformed", f"{scheme}: {_damaged(error)}")
            continue
        report.signers.setdefault(scheme, []).extend(found)

    if "v1" in v1_report.signers:
        report.signers["v1"] = v1_report.signers["v1"]
    for problem in v1_report.problems:
        report.add_problem(problem.code, problem.message)
    report.notes.extend(v1_report.notes)
    _check_same_signers(report)


def _check_supported_versions(report: VerificationReport, min_sdk: int) -> None:
    schemes = set(report.schemes)
    if min_sdk < 24 and "v1" not in schemes:
        report.add_problem(
            "signature_missing",
            f"no v1 (JAR) signature, which Android 6 and older need (minSdk {min_sdk})",
        )
    elif min_sdk < 28 and not schemes & {"v1", "v2"}:
        report.add_problem(
            "signature_missing",
            f"only v3 signatures, which Android 7 and 8 do not read (minSdk {min_sdk})",
        )


def _content_digests(path: Path, apk: layout.ApkLayout, hash_names) -> dict[str, bytes]:
    with path.open("rb") as handle:
        return signing_block.digest_file_sections(
            handle,
            apk.block_offset,
            (apk.cd_offset, apk.cd_size),
            signing_block.eocd_pointing_at(apk.eocd, apk.block_offset),
            sorted(hash_names),
        )


def _verify_v1(handle, entries, report: VerificationReport, block_ids: set[int]):
    try:
        return jar_verify.verify_v1(handle, entries, report, block_ids)
    except VerificationError as error:
        report.add_problem(error.code, f"v1: {error.message}")
    except Exception as error:  # as for the schemes: a damaged v1 signature is reported
        report.add_problem("signature_malformed", f"v1: {_damaged(error)}")
    return []


def _damaged(error: Exception) -> str:
    detail = str(error).splitlines()[0][:160] if str(error) else type(error).__name__
    return f"a signature structure is damaged ({detail})"


def parse_block(data: bytes) -> list[tuple[int, bytes]]:
    """Split an APK Signing Block into (id, value) pairs, refusing any that overrun it."""
    body = data[8:-24]
    pairs = []
    position = 0
    while position < len(body):
        if position + 12 > len(body):
            raise VerificationError(
                "the APK Signing Block ends inside an entry header", code="signing_block_malformed"
            )
        (length,) = struct.unpack_from("<Q", body, position)
        if length < 4 or position + 8 + length > len(body):
            raise VerificationError(
                "an APK Signing Block entry overruns the block", code="signing_block_malformed"
            )
        (pair_id,) = struct.unpack_from("<I", body, position + 8)
        pairs.append((pair_id, body[position + 12 : position + 8 + length]))
        position += 8 + length
    return pairs


def _one_byte_from_scheme(pair_id: int) -> bool:
    candidate = pair_id.to_bytes(4, "little")
    for scheme_id in SCHEME_IDS:
        known = scheme_id.to_bytes(4, "little")
        if sum(a != b for a, b in zip(candidate, known, strict=True)) == 1:
            return True
    return False


def _check_same_signers(report: VerificationReport) -> None:
    """All schemes must name the same signer, unless v3 rotated to it with a lineage."""
    v3_lineage = set()
    for scheme in ("v3", "v3.1"):
        for signer in report.signers.get(scheme, []):
            v3_lineage.update(signer.lineage_sha256)
    baseline = None
    for scheme in ("v1", "v2", "v3", "v3.1"):
        signers = report.signers.get(scheme)
        if not signers:
            continue
        found = {signer.certificate_sha256 for signer in signers}
        if baseline is None:
            baseline = (scheme, found)
            continue
        if found == baseline[1]:
            continue
        rotated = scheme in ("v3", "v3.1") and baseline[1] <= v3_lineage
        if not rotated:
            report.add_problem(
                "signers_differ", f"{baseline[0]} and {scheme} are signed by different keys"
            )
