"""Errors the engine raises for input it refuses or work it cannot do.

Every error carries a stable ``code`` that the CLI, the API and the console show unchanged
(clients branch on it) and a one-line ``message`` that tells a person what is wrong with the
file and, where possible, how to fix it. Messages never contain secrets.
"""


class EngineError(Exception):
    """Base class: something the caller can act on, identified by a stable code."""

    code = "engine_error"

    def __init__(self, message: str, code: str | None = None):
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


class RejectedInput(EngineError):
    """The input is not something Fusebox accepts; the user must supply a different file."""

    code = "rejected_input"


class GateError(RejectedInput):
    """The upload failed the APK gate (zip structure, limits or manifest)."""

    code = "gate_error"


class SigningError(EngineError):
    """Signing could not be done with the key material given."""

    code = "signing_error"


class VerificationError(RejectedInput):
    """An APK's signatures or alignment do not verify."""

    code = "verification_failed"


class FusionError(EngineError):
    """The app could not be fused; the message says which step and why."""

    code = "fusion_error"
