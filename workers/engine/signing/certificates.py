"""Describe certificates and check raw signatures for the verifiers."""

import hashlib
import warnings

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import dsa, ec, padding, rsa

HASHES = {
    # Old v1 signatures use SHA-1; they are only verified here, never made (minSdk < 18 aside).
    "sha1": hashes.SHA1,
    "sha224": hashes.SHA224,
    "sha256": hashes.SHA256,
    "sha384": hashes.SHA384,
    "sha512": hashes.SHA512,
}


def certificate_sha256(der_bytes: bytes) -> str:
    return hashlib.sha256(der_bytes).hexdigest()


def subject_of(der_bytes: bytes) -> str:
    try:
        with warnings.catch_warnings():
            # Old test certificates break X.520 length rules; the subject is still shown.
            warnings.simplefilter("ignore")
            return x509.load_der_x509_certificate(der_bytes).subject.rfc4514_string()
    except Exception:  # cryptography raises several types for damaged certificates
        return "(unparseable certificate)"


def public_key_der_of(der_bytes: bytes) -> bytes:
    certificate = x509.load_der_x509_certificate(der_bytes)
    return certificate.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def key_algorithm(public_key) -> str:
    if isinstance(public_key, rsa.RSAPublicKey):
        return f"RSA {public_key.key_size}"
    if isinstance(public_key, ec.EllipticCurvePublicKey):
        return f"EC {public_key.curve.name}"
    if isinstance(public_key, dsa.DSAPublicKey):
        return f"DSA {public_key.key_size}"
    return type(public_key).__name__.removeprefix("_")


def verify_signature(public_key, kind: str, hash_name: str, signature: bytes, data: bytes) -> bool:
    """Check ``signature`` over ``data``; ``kind`` is rsa, rsa-pss, ecdsa or dsa."""
    algorithm = HASHES[hash_name]()
    try:
        if kind == "rsa" and isinstance(public_key, rsa.RSAPublicKey):
            public_key.verify(signature, data, padding.PKCS1v15(), algorithm)
        elif kind == "rsa-pss" and isinstance(public_key, rsa.RSAPublicKey):
            pss = padding.PSS(mgf=padding.MGF1(algorithm), salt_length=algorithm.digest_size)
            public_key.verify(signature, data, pss, algorithm)
        elif kind == "ecdsa" and isinstance(public_key, ec.EllipticCurvePublicKey):
            public_key.verify(signature, data, ec.ECDSA(algorithm))
        elif kind == "dsa" and isinstance(public_key, dsa.DSAPublicKey):
            public_key.verify(signature, data, algorithm)
        else:
            return False
    except (InvalidSignature, UnsupportedAlgorithm, ValueError):
        return False
    return True
