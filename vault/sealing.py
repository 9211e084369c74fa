"""Seal and open tenant secrets with AES-256-GCM under the organization's data key.

The associated data binds the organization, the object (model label and primary key), the
field and the data key version, so a ciphertext copied to another row, field or
organization fails to open instead of decrypting somebody else's secret.
"""

import logging
import os
import struct

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.db import IntegrityError, transaction

from vault.errors import SecretUnreadable
from vault.models import OrganizationDataKey
from vault.providers import KEY_BYTES, NONCE_BYTES, get_provider

logger = logging.getLogger(__name__)

MAGIC = b"FBS1"
HEADER = struct.Struct(">4sI")


def _organization_id(organization) -> int:
    return organization if isinstance(organization, int) else organization.pk


def _associated_data(organization_id, purpose, object_id, field, data_key_version) -> bytes:
    return (
        f"fusebox-seal|org={organization_id}|object={purpose}:{object_id}|field={field}"
        f"|data-key={data_key_version}"
    ).encode()


def active_data_key(organization) -> OrganizationDataKey:
    """The organization's active data key row, created on first use."""
    organization_id = _organization_id(organization)
    row = (
        OrganizationDataKey.objects.filter(organization_id=organization_id, active=True)
        .order_by("-version")
        .first()
    )
    if row is not None:
        return row

    version, blob = get_provider().wrap(os.urandom(KEY_BYTES))
    try:
        with transaction.atomic():
            row = OrganizationDataKey.objects.create(
                organization_id=organization_id,
                version=1,
                wrapped_key=blob,
                master_key_version=version,
            )
    except IntegrityError:
        # Another request created the first key at the same moment; use theirs.
        return OrganizationDataKey.objects.get(organization_id=organization_id, version=1)
    logger.info("created data key v1 for organization %s", organization_id)
    return row


def _data_key(row: OrganizationDataKey) -> bytes:
    return get_provider().unwrap(row.master_key_version, bytes(row.wrapped_key))


def seal(organization, purpose: str, object_id, field: str, plaintext: bytes) -> bytes:
    """Encrypt ``plaintext`` for one field of one object of one organization."""
    organization_id = _organization_id(organization)
    row = active_data_key(organization_id)

    nonce = os.urandom(NONCE_BYTES)
    aad = _associated_data(organization_id, purpose, object_id, field, row.version)
    ciphertext = AESGCM(_data_key(row)).encrypt(nonce, bytes(plaintext), aad)
    return HEADER.pack(MAGIC, row.version) + nonce + ciphertext


def open_sealed(organization, purpose: str, object_id, field: str, sealed: bytes) -> bytes:
    """Decrypt what `seal` produced for exactly this organization, object and field."""
    organization_id = _organization_id(organization)
    where = f"organization {organization_id} {purpose} {object_id} field {field}"
    sealed = bytes(sealed or b"")
    if len(sealed) < HEADER.size + NONCE_BYTES + 16 or sealed[:4] != MAGIC:
        logger.error("sealed secret unreadable (%s): not a sealed value", where)
        raise SecretUnreadable(f"the stored {field} of {purpose} {object_id} is not sealed data")

    _magic, version = HEADER.unpack(sealed[: HEADER.size])
    row = OrganizationDataKey.objects.filter(
        organization_id=organization_id, version=version
    ).first()
    if row is None:
        logger.error("sealed secret unreadable (%s): data key v%s missing", where, version)
        raise SecretUnreadable(
            f"the stored {field} of {purpose} {object_id} needs data key v{version}, which "
            "this organization does not have"
        )

    body = sealed[HEADER.size :]
    aad = _associated_data(organization_id, purpose, object_id, field, version)
    try:
        return AESGCM(_data_key(row)).decrypt(body[:NONCE_BYTES], body[NONCE_BYTES:], aad)
    except InvalidTag:
        logger.error("sealed secret unreadable (%s): authentication failed", where)
        raise SecretUnreadable(
            f"the stored {field} of {purpose} {object_id} does not decrypt for this row "
            "(copied from another row or organization, or damaged)"
        ) from None


class SealedFieldsMixin:
    """Model helpers: ``seal_field("key", b"...")`` / ``open_field("key")`` on BinaryFields.

    The primary key must exist before sealing (trust models use UUID keys set on creation),
    because it is part of the associated data.
    """

    def _seal_purpose(self) -> str:
        return self._meta.label

    def seal_field(self, field: str, plaintext: bytes) -> None:
        setattr(
            self,
            field,
            seal(self.organization_id, self._seal_purpose(), self.pk, field, plaintext),
        )

    def open_field(self, field: str) -> bytes:
        return open_sealed(
            self.organization_id, self._seal_purpose(), self.pk, field, getattr(self, field)
        )
