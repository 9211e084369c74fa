"""Accept an uploaded app: size limit, SHA-256 dedupe, the engine's gate, analysis, storage.

A refused file is answered with the gate's code and message and is not kept anywhere; an
accepted one is stored under a server-generated name and analysed once.
"""

import hashlib
import logging
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, transaction

from builds import storage
from builds.models import App
from console.audit import client_ip, record_event
from console.models import ApiToken
from console.tenancy import current_organization
from workers.engine.errors import EngineError, RejectedInput
from workers.engine.inspect import file_sha256, inspect_apk

logger = logging.getLogger(__name__)

CHUNK = 1024 * 1024


class UploadTooLarge(RejectedInput):
    """The upload is over the configured size limit (answered 413)."""

    code = "upload_too_large"


@dataclass(frozen=True)
class UploadResult:
    app: App
    created: bool


def max_upload_bytes() -> int:
    return settings.FUSEBOX_UPLOAD_MAX_BYTES


def too_large(size: int) -> UploadTooLarge:
    limit = max_upload_bytes()
    return UploadTooLarge(
        f"the file is {size} bytes, over the upload limit of {limit} bytes "
        f"({limit // (1024 * 1024)} MiB)",
        code="upload_too_large",
    )


def find_by_checksum(sha256: str) -> App | None:
    """The organization's app with this SHA-256, if it was uploaded before."""
    return App.objects.filter(sha256=sha256.lower()).first()


def accept_upload(uploaded, *, actor=None, request=None) -> UploadResult:
    """Gate, analyse and store a Django ``UploadedFile`` in the current organization."""
    if uploaded.size is not None and uploaded.size > max_upload_bytes():
        raise too_large(uploaded.size)

    with _local_copy(uploaded) as (path, sha256):
        existing = find_by_checksum(sha256)
        if existing is not None:
            logger.info("upload of %s matches app %s by SHA-256", uploaded.name, existing.pk)
            return UploadResult(existing, created=False)

        analysis = _analyse(path, uploaded.name, sha256)
        name = storage.new_original_name(current_organization().pk)
        storage.put_file(name, path, move=True)
        try:
            app = _save_app(uploaded, name, sha256, analysis, actor, request)
        except IntegrityError:
            # The same file arrived twice at once: keep the first, drop this copy.
            storage.delete(name)
            return UploadResult(find_by_checksum(sha256), created=False)

    record_event(
        app.organization_id,
        "app.uploaded",
        actor=actor,
        request=request,
        target=app,
        changes={"sha256": sha256, "size": app.size, "package": app.package},
    )
    logger.info("app %s stored as %s (%s bytes)", app.pk, name, app.size)
    return UploadResult(app, created=True)


@contextmanager
def _local_copy(uploaded) -> Iterator[tuple[Path, str]]:
    """The upload as a file of its own on local disk, and its SHA-256.

    A large upload already is a temporary file (Django streamed it there): it is hashed
    where it lies and may be moved into storage, so a file of hundreds of MB is not copied
    twice more. A small one arrives in memory and is written out once.
    """
    if hasattr(uploaded, "temporary_file_path"):
        path = Path(uploaded.temporary_file_path())
        yield path, _hash_file(path)
        return

    with tempfile.TemporaryDirectory(prefix="fusebox-upload-") as folder:
        path = Path(folder) / "upload.bin"
        yield path, _copy_and_hash(uploaded, path)


def _hash_file(path: Path) -> str:
    size = path.stat().st_size
    if size > max_upload_bytes():
        raise too_large(size)
    return file_sha256(path)


def _copy_and_hash(uploaded, path: Path) -> str:
    digest = hashlib.sha256()
    written = 0
    with path.open("wb") as target:
        for chunk in uploaded.chunks(CHUNK):
            written += len(chunk)
            if written > max_upload_bytes():
                raise too_large(written)
            digest.update(chunk)
            target.write(chunk)
    return digest.hexdigest()


def _analyse(path: Path, file_name: str, sha256: str) -> dict:
    """Gate and describe the file; any refusal is a stable-coded ``RejectedInput``."""
    try:
        return inspect_apk(path, sha256=sha256).to_dict()
    except EngineError:
        raise
    except Exception:
        # The analysis parses hostile bytes with third-party code: a crash there is a
        # refusal of this file, not a server error.
        logger.exception("upload %s: the gate accepted it but analysis failed", file_name)
        raise RejectedInput(
            "the app passed the archive checks but its manifest could not be analysed; "
            "rebuild it with the Android build tools",
            code="analysis_failed",
        ) from None


def _save_app(uploaded, name, sha256, analysis, actor, request) -> App:
    token = actor if isinstance(actor, ApiToken) else None
    user = actor if actor is not None and token is None else None
    app = App(
        organization=current_organization(),
        file_name=Path(uploaded.name or "app.apk").name[:255],
        storage_name=name,
        size=analysis.get("file_size") or 0,
        sha256=sha256,
        package=analysis.get("package") or "",
        version_name=(analysis.get("version_name") or "")[:120],
        version_code=analysis.get("version_code"),
        analysis=analysis,
        uploaded_by=user if getattr(user, "pk", None) else None,
        uploaded_by_token=token,
        source_ip=client_ip(request),
    )
    with transaction.atomic():
        app.save()
    return app
