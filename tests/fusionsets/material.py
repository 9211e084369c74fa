"""Trust material rows for Fusion Set tests, from certificates generated per session.

The rows carry public facts only; the sealed columns hold a placeholder because no Fusion
Set code ever opens a secret.
"""

import datetime

from console.tenancy import unscoped_access
from tests.trust import pki
from trust.certificates import facts_of
from trust.models import CACertificate, ClientIdentity, SigningFingerprint, SigningKeystore

NOT_SEALED = b"fusion set tests: placeholder, not a sealed secret"
DAY = datetime.timedelta(days=1)


def _fill(item, certificate):
    item.fill_facts(facts_of(certificate))
    item.certificate_pem = pki.pem(certificate).decode()
    return item


def _save(item):
    with unscoped_access():
        item.save()
    return item


def add_ca(organization, name, certificate):
    return _save(_fill(CACertificate(organization=organization, name=name), certificate))


def add_identity(organization, name, certificate, ca=None):
    identity = ClientIdentity(
        organization=organization,
        name=name,
        origin="uploaded",
        ca=ca,
        private_key_sealed=NOT_SEALED,
    )
    return _save(_fill(identity, certificate))


def add_keystore(organization, name, certificate):
    keystore = SigningKeystore(
        organization=organization,
        name=name,
        alias="release",
        keystore_sealed=NOT_SEALED,
        store_password_sealed=NOT_SEALED,
        key_password_sealed=NOT_SEALED,
    )
    return _save(_fill(keystore, certificate))


def add_fingerprint(organization, name, sha256, play=""):
    return _save(
        SigningFingerprint(
            organization=organization, name=name, sha256=sha256, play_signing_sha256=play
        )
    )


class PKI:
    """A CA, identities issued by it (valid, expired, not yet valid) and an unrelated CA."""

    def __init__(self):
        self.ca_key = pki.ec_key()
        self.ca = pki.make_cert(self.ca_key, "Fusion Set Test CA")
        self.other_ca_key = pki.ec_key()
        self.other_ca = pki.make_cert(self.other_ca_key, "Unrelated CA")
        self.client = self._client("device-1")
        self.expired_client = self._client(
            "device-old", not_before=pki.NOW - 30 * DAY, not_after=pki.NOW - DAY
        )
        self.future_client = self._client(
            "device-new", not_before=pki.NOW + 5 * DAY, not_after=pki.NOW + 50 * DAY
        )
        self.other_client = pki.make_cert(
            pki.ec_key(),
            "device-x",
            issuer_cert=self.other_ca,
            issuer_key=self.other_ca_key,
            ca=False,
        )
        self.signer = pki.make_cert(pki.ec_key(), "Release signer", ca=False)
        self.expired_signer = pki.make_cert(
            pki.ec_key(),
            "Old signer",
            ca=False,
            not_before=pki.NOW - 30 * DAY,
            not_after=pki.NOW - DAY,
        )

    def _client(self, name, **validity):
        return pki.make_cert(
            pki.ec_key(), name, issuer_cert=self.ca, issuer_key=self.ca_key, ca=False, **validity
        )
