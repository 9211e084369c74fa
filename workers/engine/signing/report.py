"""The result of verifying an APK: signers per scheme and every problem found."""

from dataclasses import dataclass, field
from pathlib import Path

from workers.engine.errors import VerificationError

SCHEME_ORDER = ("v1", "v2", "v3", "v3.1")


@dataclass
class SignerSummary:
    """One signer of one scheme, as shown by ``fusebox inspect`` and ``fusebox verify``."""

    scheme: str
    subject: str
    certificate_sha256: str
    key_algorithm: str
    signature_algorithms: list[str] = field(default_factory=list)
    min_sdk: int | None = None
    max_sdk: int | None = None
    lineage_sha256: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "scheme": self.scheme,
            "subject": self.subject,
            "certificate_sha256": self.certificate_sha256,
            "key_algorithm": self.key_algorithm,
            "signature_algorithms": list(self.signature_algorithms),
            "min_sdk": self.min_sdk,
            "max_sdk": self.max_sdk,
            "lineage_sha256": list(self.lineage_sha256),
        }


@dataclass(frozen=True)
class Problem:
    code: str
    message: str


@dataclass
class VerificationReport:
    """Signers per scheme (``v1``, ``v2``, ``v3``, ``v3.1``), problems and notes.

    ``verified`` is true only when at least one scheme is present and nothing is wrong.
    Notes record what was seen but not checked (source stamps, verity-only digests).
    """

    path: Path
    signers: dict[str, list[SignerSummary]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    block_ids: list[int] = field(default_factory=list)

    @property
    def schemes(self) -> list[str]:
        return [scheme for scheme in SCHEME_ORDER if self.signers.get(scheme)]

    @property
    def verified(self) -> bool:
        return bool(self.schemes) and not self.problems

    def add_problem(self, code: str, message: str) -> None:
        problem = Problem(code, message)
        if problem not in self.problems:
            self.problems.append(problem)

    def raise_for_problems(self) -> None:
        """Raise the first problem as a ``VerificationError`` (its code is the first code)."""
        if self.problems:
            first = self.problems[0]
            raise VerificationError(first.message, code=first.code)
        if not self.schemes:
            raise VerificationError("the APK is not signed", code="signature_missing")

    def as_dict(self) -> dict:
        return {
            "verified": self.verified,
            "schemes": self.schemes,
            "signers": {
                scheme: [signer.as_dict() for signer in signers]
                for scheme, signers in self.signers.items()
                if signers
            },
            "problems": [{"code": p.code, "message": p.message} for p in self.problems],
            "notes": list(self.notes),
        }
