"""What an accepted APK declares: identity, SDK levels, components, code and signers.

Runs androguard only after the gate accepted the file, and only on the manifest and
resource table, because androguard has no decompression limits and loads whole files.
Signers come from the engine's own verifier, so ``fusebox inspect`` and ``fusebox verify``
agree.
"""

import hashlib
import io
import logging
import zipfile
import zlib
from dataclasses import asdict, dataclass, field
from pathlib import Path

from workers.engine.errors import GateError
from workers.engine.gate import MANIFEST_NAME, RESOURCES_NAME, GateEntry, GateReport, check_apk
from workers.engine.limits import GateLimits
from workers.engine.signing.verify import verify_apk

logger = logging.getLogger(__name__)

HASH_CHUNK = 1024 * 1024


@dataclass
class Signer:
    scheme: str
    subject: str
    certificate_sha256: str


@dataclass
class AppInspection:
    """Facts about one APK, in the shape ``fusebox inspect --json`` prints."""

    package: str
    version_code: int | None
    version_name: str | None
    min_sdk: int | None
    target_sdk: int | None
    application_class: str | None
    activities: list[str]
    services: list[str]
    receivers: list[str]
    providers: list[str]
    permissions: list[str]
    debuggable: bool
    dex_files: list[dict]
    native_abis: list[str]
    signers: dict[str, list[Signer]]
    signature_problems: list[str]
    file_size: int
    sha256: str
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)


def inspect_apk(
    path: Path, limits: GateLimits | None = None, *, sha256: str | None = None
) -> AppInspection:
    """Gate-check ``path`` and describe it; raises ``GateError`` for files the gate refuses.

    ``sha256`` is the file's digest when the caller has just computed it (an upload hashes
    while it receives), which spares a pass over a file of hundreds of MB.
    """
    path = Path(path)
    report = check_apk(path, limits)
    apk = _androguard_apk(_manifest_and_resources(report))

    version_code = apk.get_androidversion_code()
    signers, problems = _signers(path)
    return AppInspection(
        package=report.package,
        version_code=int(version_code) if str(version_code or "").isdigit() else None,
        version_name=_resolve(apk, apk.get_androidversion_name()),
        min_sdk=_as_int(_resolve(apk, apk.get_min_sdk_version())),
        target_sdk=_as_int(_resolve(apk, apk.get_target_sdk_version())),
        application_class=_application_class(apk, report.package),
        activities=sorted(apk.get_activities()),
        services=sorted(apk.get_services()),
        receivers=sorted(apk.get_receivers()),
        providers=sorted(apk.get_providers()),
        permissions=sorted(set(apk.get_permissions())),
        debuggable=_is_true(apk.get_attribute_value("application", "debuggable")),
        dex_files=[{"name": name, "size": size} for name, size in report.dex_files],
        native_abis=native_abis(report),
        signers=signers,
        signature_problems=problems,
        file_size=report.file_size,
        sha256=sha256 or file_sha256(path),
    )


def native_abis(report: GateReport) -> list[str]:
    """ABIs that ship at least one native library under ``lib/<abi>/``."""
    abis = set()
    for entry in report.entries:
        parts = entry.name.split("/")
        if len(parts) == 3 and parts[0] == "lib" and parts[2].endswith(".so"):
            abis.add(parts[1])
    return sorted(abis)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with Path(path).open("rb") as stream:
        while chunk := stream.read(HASH_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _manifest_and_resources(report: GateReport) -> bytes:
    """A small zip of just the manifest and resource table, for androguard to read.

    androguard loads the whole APK into memory; giving it only these two entries (both
    under the gate's size limits) keeps inspection's memory flat in the size of the APK.
    """
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(MANIFEST_NAME, report.manifest)
        entry = report.entry(RESOURCES_NAME)
        if entry is not None:
            archive.writestr(RESOURCES_NAME, _read_entry(report.path, entry))
    return buffer.getvalue()


def _read_entry(path: Path, entry: GateEntry) -> bytes:
    with Path(path).open("rb") as stream:
        stream.seek(entry.data_offset)
        raw = stream.read(entry.compressed_size)
    if entry.stored:
        return raw
    return zlib.decompress(raw, -15, entry.uncompressed_size or 1)


def _androguard_apk(data: bytes):
    from androguard.core.apk import APK
    from loguru import logger as androguard_logger

    androguard_logger.remove()
    try:
        apk = APK(data, raw=True)
    except Exception as error:
        # androguard raises many unrelated types on input the gate accepted but it dislikes.
        raise GateError(
            f"the manifest or resources could not be read ({type(error).__name__})",
            code="manifest_malformed",
        ) from None
    if not apk.is_valid_APK():
        raise GateError("the manifest could not be read", code="manifest_malformed")
    return apk


def _resolve(apk, value):
    """Turn a ``@7F050026`` resource reference into its default value, as aapt shows it."""
    if not isinstance(value, str) or not value.startswith("@"):
        return value
    try:
        resource_id = int(value[1:], 16)
        configs = apk.get_android_resources().get_resolved_res_configs(resource_id)
    except Exception:
        # A reference that cannot be resolved is shown as written.
        return value
    return configs[0][1] if configs else value


def _application_class(apk, package: str) -> str | None:
    name = apk.get_attribute_value("application", "name")
    if not name:
        return None
    if name.startswith("."):
        return package + name
    return name if "." in name else f"{package}.{name}"


def _as_int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _is_true(value) -> bool:
    return str(value).lower() in ("true", "1", "-1", "0xffffffff")


def _signers(path: Path) -> tuple[dict[str, list[Signer]], list[str]]:
    report = verify_apk(path)
    signers = {
        scheme: [Signer(scheme, item.subject, item.certificate_sha256) for item in items]
        for scheme, items in report.signers.items()
        if items
    }
    problems = [f"{problem.code}: {problem.message}" for problem in report.problems]
    return signers, problems
