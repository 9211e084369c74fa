"""APK signing (v1 JAR, v2, v3) and signature verification in pure Python."""

from workers.engine.signing.keys import Signer, load_signer
from workers.engine.signing.report import Problem, SignerSummary, VerificationReport
from workers.engine.signing.sign import SigningReport, sign_apk
from workers.engine.signing.verify import verify_apk

__all__ = [
    "Problem",
    "Signer",
    "SignerSummary",
    "SigningReport",
    "VerificationReport",
    "load_signer",
    "sign_apk",
    "verify_apk",
]
