"""The one error type trust validation raises, and the stable codes it carries.

Clients branch on ``code``; ``message`` tells a person what to fix in the file they uploaded.
Messages name certificates by subject and fingerprint and never repeat a password or key.
"""

from workers.engine.errors import RejectedInput

# Every code a trust upload can fail with, and what it means. The API documents this table.
TRUST_ERROR_CODES = {
    "file_empty": "the upload holds no bytes",
    "file_too_large": "the upload is larger than the size cap",
    "too_many_certificates": "a bundle holds more certificates than the cap",
    "cert_malformed": "the file is not a readable PEM or DER X.509 certificate",
    "pem_private_key_given": "a private key was uploaded where a certificate was expected",
    "not_a_ca": "the certificate is not a CA (basicConstraints cA or keyUsage keyCertSign)",
    "cert_expired": "the certificate's notAfter is in the past",
    "cert_not_yet_valid": "the certificate's notBefore is in the future",
    "weak_key": "the key is RSA under 2048 bits, or EC on a curve other than P-256/P-384",
    "unsupported_key_type": "the key is neither RSA nor EC (for example DSA or Ed25519)",
    "weak_signature": "the certificate is signed with MD5 or SHA-1",
    "chain_out_of_order": "a bundle's certificates are not each issued by the next one",
    "p12_bad_password": "the PKCS#12 password is wrong",
    "p12_malformed": "the file is not a readable PKCS#12 (truncated or another format)",
    "p12_legacy_encryption": "the PKCS#12 uses an algorithm this service cannot read",
    "p12_no_key": "the PKCS#12 holds no private key",
    "p12_several_keys": "the PKCS#12 holds more than one private key",
    "p12_no_certificate": "the PKCS#12 holds a key but no certificate for it",
    "p12_key_mismatch": "the PKCS#12 certificate does not belong to its private key",
    "p12_not_issued_by_ca": "the client certificate does not chain to the chosen CA",
    "no_ca_certificates": "the organization has no CA certificate to check a client against",
    "cert_not_x509v3": "the certificate is X.509 v1 (no extensions); mTLS stacks refuse it",
    "missing_client_auth": "the certificate's extendedKeyUsage lacks clientAuth",
    "keystore_alias_missing": "the keystore has no key entry under the alias given",
    "keystore_bad_password": "the keystore or key password is wrong",
    "keystore_unsupported_format": "the keystore is JKS/JCEKS or another non-PKCS#12 format",
    "fingerprint_invalid": "a fingerprint is not 32 bytes of hex (SHA-256)",
    "ca_key_mismatch": "the CA private key does not belong to the CA certificate",
    "ca_key_malformed": "the CA private key cannot be read (format or password)",
    "issue_invalid_request": "the requested subject or validity for a new identity is not usable",
    "ca_cannot_issue": "no private key was uploaded for this CA, so it cannot issue identities",
    "already_uploaded": "the organization already holds this certificate",
    "material_in_use": "the item is used (by a Fusion Set or an identity) and cannot be deleted",
    "material_expired": "the item has expired and cannot be used for a build",
}


class TrustError(RejectedInput):
    """Trust material that Fusebox refuses; the API answers 422 with ``code`` and ``message``."""

    code = "trust_error"

    def __init__(self, code: str, message: str):
        if code not in TRUST_ERROR_CODES:
            raise ValueError(f"unknown trust error code {code!r}")
        super().__init__(message, code=code)
