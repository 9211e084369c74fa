"""Signing keystores (PKCS#12 as keytool writes it) and private signing fingerprints."""

from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from trust.certificates import CertificateFacts, check_key_strength, facts_of, short_name
from trust.errors import TrustError
from trust.uploads import MAX_P12_BYTES, check_key_matches, check_size, load_p12
from workers.engine.fingerprints import colon_hex, sha256_hex


@dataclass(frozen=True)
class SigningKeystoreUpload:
    """A validated signing keystore entry; the keystore bytes are kept as uploaded."""

    alias: str
    aliases: list[str]
    private_key: object
    certificate: x509.Certificate
    chain: list[x509.Certificate]

    @property
    def facts(self) -> CertificateFacts:
        return facts_of(self.certificate)


def validate_signing_keystore(
    data: bytes, alias: str, store_password: str, key_password: str = ""
) -> SigningKeystoreUpload:
    """Check a PKCS#12 keystore as keytool writes it: alias present, key decrypts."""
    check_size(data, MAX_P12_BYTES, "keystore")
    loaded, structure = load_p12(data, store_password, "keystore_bad_password", "keystore")

    aliases = structure.aliases
    bag = next((b for b in structure.key_bags if b.alias == alias), None)
    if bag is None:
        bag = next(
            (b for b in structure.key_bags if (b.alias or "").lower() == alias.lower()), None
        )
    if bag is None:
        known = ", ".join(repr(a) for a in aliases) or "none"
        raise TrustError(
            "keystore_alias_missing",
            f"The keystore has no key entry named {alias!r}; its key aliases are: {known}. "
            "Check the alias (`keytool -list -keystore release.p12`).",
        )

    private_key = _decrypt_key_bag(bag, key_password or store_password, loaded)
    certificate, chain = _certificate_for_alias(loaded, bag.alias)
    check_key_matches(private_key, certificate)
    check_key_strength(certificate.public_key(), short_name(certificate))
    return SigningKeystoreUpload(bag.alias, aliases, private_key, certificate, chain)


def _decrypt_key_bag(bag, password: str, loaded):
    if bag.encrypted_der is None:
        return loaded.key
    try:
        return serialization.load_der_private_key(bag.encrypted_der, password.encode())
    except (ValueError, TypeError):
        raise TrustError(
            "keystore_bad_password",
            f"The key password does not decrypt the key {bag.alias!r}. Check the key "
            "password (for PKCS#12 made by keytool it equals the store password).",
        ) from None


def _certificate_for_alias(loaded, alias: str):
    entries = ([loaded.cert] if loaded.cert else []) + list(loaded.additional_certs)
    named = [e for e in entries if e.friendly_name and e.friendly_name.decode() == alias]
    if not named:
        raise TrustError(
            "p12_no_certificate",
            f"The keystore entry {alias!r} has no certificate. Re-create the key with keytool "
            "so it carries its certificate.",
        )
    others = [e.certificate for e in entries if e is not named[0] and e.friendly_name is None]
    return named[0].certificate, others


def parse_sha256_fingerprint(text: str, label: str = "fingerprint") -> str:
    """Normalise a SHA-256 fingerprint (hex, with or without colons) to 'AB:CD:...'."""
    digest = sha256_hex(text or "")
    if digest is None:
        raise TrustError(
            "fingerprint_invalid",
            f"The {label} must be a SHA-256 fingerprint: 64 hex digits, with or without "
            "colons (`keytool -list -v` or `apksigner verify --print-certs` show it).",
        )
    return colon_hex(digest)
