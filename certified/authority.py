"""The installation's report-signing authority: created on first use, keys sealed at rest.

One authority signs every organization's reports, so auditors download one CA certificate.
Its private keys are encrypted with AES-256-GCM under a random key that the vault's master
key provider wraps; a configured external signer (``certified.conf.external_signer``) takes
precedence and is read from its files, never stored.
"""

import logging
import os
import threading

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.db import IntegrityError, transaction

from certified import conf
from certified.errors import ReportAuthorityError
from certified.models import ReportAuthorityRecord
from certified.signing import ReportAuthority, StoredAuthority, fingerprint
from vault.providers import KEY_BYTES, NONCE_BYTES, get_provider

logger = logging.getLogger(__name__)

ISSUER_NAME = "Fusebox"
_AAD = b"fusebox-report-authority|installation"
_cache: dict[tuple, ReportAuthority] = {}
_lock = threading.Lock()


def _wrapper(record_key: bytes):
    aead = AESGCM(record_key)

    def wrap(plaintext: bytes) -> bytes:
        nonce = os.urandom(NONCE_BYTES)
        return nonce + aead.encrypt(nonce, plaintext, _AAD)

    def unwrap(sealed: bytes) -> bytes:
        try:
            return aead.decrypt(bytes(sealed[:NONCE_BYTES]), bytes(sealed[NONCE_BYTES:]), _AAD)
        except InvalidTag:
            raise ReportAuthorityError(
                "the stored report-signing key does not decrypt with the master key"
            ) from None

    return wrap, unwrap


def _create_record() -> ReportAuthorityRecord:
    authority = ReportAuthority.create(ISSUER_NAME)
    record_key = os.urandom(KEY_BYTES)
    version, blob = get_provider().wrap(record_key)
    wrap, _unwrap = _wrapper(record_key)
    stored = authority.export(wrap)
    try:
        with transaction.atomic():
            record = ReportAuthorityRecord.objects.create(
                ca_certificate_pem=stored.ca_certificate_pem.decode(),
                signing_certificate_pem=stored.signing_certificate_pem.decode(),
                chain_pem=stored.chain_pem.decode(),
                wrapped_signing_key=stored.wrapped_signing_key,
                wrapped_ca_key=stored.wrapped_ca_key,
                key_wrap_version=version,
                key_wrap_blob=blob,
            )
    except IntegrityError:
        # Another worker created it at the same moment: use theirs.
        return ReportAuthorityRecord.objects.get(name=ReportAuthorityRecord.INSTALLATION)
    logger.info(
        "created the installation report-signing CA %s", fingerprint(authority.ca_certificate)
    )
    return record


def _load_record(record: ReportAuthorityRecord) -> ReportAuthority:
    record_key = get_provider().unwrap(record.key_wrap_version, bytes(record.key_wrap_blob))
    _wrap, unwrap = _wrapper(record_key)
    stored = StoredAuthority(
        ca_certificate_pem=record.ca_certificate_pem.encode(),
        signing_certificate_pem=record.signing_certificate_pem.encode(),
        chain_pem=record.chain_pem.encode(),
        wrapped_signing_key=bytes(record.wrapped_signing_key),
        wrapped_ca_key=bytes(record.wrapped_ca_key) if record.wrapped_ca_key else None,
    )
    return ReportAuthority.load(stored, unwrap)


def _external() -> ReportAuthority | None:
    files = conf.external_signer()
    if files is None:
        return None
    try:
        certificate, key, ca = (path.read_bytes() for path in files)
    except OSError as error:
        raise ReportAuthorityError(
            f"the external report signer file {error.filename} cannot be read: set "
            "FUSEBOX_REPORT_SIGNER_CERT_FILE, FUSEBOX_REPORT_SIGNER_KEY_FILE and "
            "FUSEBOX_REPORT_CA_FILE to readable files"
        ) from None
    password = conf.external_key_password()
    return ReportAuthority.from_external(
        certificate, key, ca, key_password=password.encode() if password else None
    )


def installation_authority() -> ReportAuthority:
    """The authority that signs reports now (external signer, else the stored one)."""
    external = _external()
    if external is not None:
        return external

    record = ReportAuthorityRecord.objects.filter(name=ReportAuthorityRecord.INSTALLATION).first()
    if record is None:
        record = _create_record()
    cache_key = (record.pk, record.signing_certificate_pem)
    with _lock:
        if cache_key not in _cache:
            _cache.clear()
            _cache[cache_key] = _load_record(record)
        return _cache[cache_key]


def ca_certificate_pem(*, create: bool = True) -> bytes | None:
    """The CA certificate auditors download. With ``create=False`` None until the first
    report created the authority (an anonymous request never triggers key generation)."""
    external = conf.external_signer()
    if external is not None:
        return _external().ca_certificate_pem()
    record = ReportAuthorityRecord.objects.filter(name=ReportAuthorityRecord.INSTALLATION).first()
    if record is None:
        return installation_authority().ca_certificate_pem() if create else None
    return record.ca_certificate_pem.encode()


def rewrap_with_current_master_key() -> bool:
    """Wrap the stored authority's key under the current master key version.

    Run while rotating the master key, before the old version leaves the key file; returns
    False when there was nothing to re-wrap.
    """
    record = ReportAuthorityRecord.objects.filter(name=ReportAuthorityRecord.INSTALLATION).first()
    if record is None:
        return False
    provider = get_provider()
    if record.key_wrap_version == provider.current_version():
        return False
    record_key = provider.unwrap(record.key_wrap_version, bytes(record.key_wrap_blob))
    version, blob = provider.wrap(record_key)
    ReportAuthorityRecord.objects.filter(pk=record.pk).update(
        key_wrap_version=version, key_wrap_blob=blob
    )
    logger.info("report-signing keys re-wrapped under master key version %s", version)
    return True
